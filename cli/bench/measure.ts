// Measuring a whole `conlab` process: wall time from spawn to exit, and its peak resident memory (the
// child reports its own maxRSS on stderr when CONLAB_BENCH=1). node:child_process loads when a benchmark
// spawns, not with the CLI: a run never needs it.
import { join } from 'node:path'
import type { LabTiming } from '../../engine/lab/simulation'

export interface ProcessMeasurement {
  wallMs: number
  peakRssMB: number
  stdout: string
  /** lab runs: where the time went (the child's `conlab-bench: timing=` line) */
  timing?: LabTiming
}

/**
 * How a bench starts conlab. `command`: the launcher executed as the `conlab` command is (npm links the bin
 * to it), so the kernel reads its shebang line and starts Node with the options given there; on Windows,
 * which has no shebang, as `node`. `node`: `node cli/bin/conlab.cjs`, Node with no options.
 */
export type Launch = 'command' | 'node'

export async function measureConlab(
  root: string,
  args: string[],
  env: Record<string, string> = {},
  launch: Launch = 'command',
): Promise<ProcessMeasurement> {
  const bin = join(root, 'cli', 'bin', 'conlab.cjs')
  const asCommand = launch === 'command' && process.platform !== 'win32'
  const { wallMs, stdout, stderr } = await measureCommand(
    asCommand ? bin : process.execPath,
    asCommand ? args : [bin, ...args],
    { cwd: root, env: { ...env, CONLAB_BENCH: '1' } },
  )
  const rss = /conlab-bench: maxRSS=(\d+)/.exec(stderr)
  const timing = /conlab-bench: timing=(\{.*\})/.exec(stderr)
  return {
    wallMs,
    peakRssMB: rss ? Number(rss[1]) / 1024 : Number.NaN,
    stdout,
    timing: timing ? (JSON.parse(timing[1]!) as LabTiming) : undefined,
  }
}

/** Wall time of a bare `node -e 0` in the same environment: the start-up every Node process pays here. */
export async function measureNodeStart(): Promise<number> {
  return (await measureCommand(process.execPath, ['-e', '0'])).wallMs
}

/**
 * Wall time of any command from spawn to exit, and what it printed; rejects when it fails. `env` is added to
 * this process's environment.
 */
export function measureCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ wallMs: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const { spawn } = process.getBuiltinModule('node:child_process')
    const started = performance.now()
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', (e) => reject(new Error(`${command}: ${e.message}`)))
    child.on('close', (code) => {
      const wallMs = performance.now() - started
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`))
      resolve({ wallMs, stdout, stderr })
    })
  })
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** A plain text table with aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
