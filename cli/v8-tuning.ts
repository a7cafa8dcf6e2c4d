// V8 tuning for the CLI's short runs. A CloudSim-compatible day lasts a few hundred milliseconds, much of it
// in code V8 has not optimized yet; a lower cumulative inlining budget makes the optimization jobs smaller,
// so optimized code arrives sooner (docs/performance.md: 0.462 against 0.477 s on a quiet machine, 17 % less
// CPU, more under load). Long lab runs are better off with V8's own budget (scale-10k's two days took 2–3 %
// longer with the lower one), so only cloudsim runs ask for it.

/** Lowers TurboFan's cumulative inlining budget for the rest of the process (a cloudsim run). */
export function favourShortRun(): void {
  // CONLAB_V8_INLINING=default keeps V8's budget (the bench's baseline). The launcher's training run writes
  // the code cache, which V8 accepts only under the flags of a plain start.
  if (process.env.CONLAB_V8_INLINING === 'default' || process.env.CONLAB_CODE_CACHE === 'write') return
  process.getBuiltinModule('node:v8').setFlagsFromString('--max-inlined-bytecode-size-cumulative=400')
}
