// The lab model's speed goals, as whole `conlab run` processes (median wall, peak RSS):
//   issue 4 — the PlanetLab day with LR-MMT in lab mode with pre-copy takes at most 2× the cloudsim
//             migration model's time;
//   issue 3 — scale-10k (10,000 hosts, 20,000 VMs, a week) within 15 s with 2 workers and at least 1.7×
//             faster than in one thread; the PlanetLab day no slower with workers than without.
import type { BenchContext } from './planetlab'
import { measureConlab, median, table, type ProcessMeasurement } from './measure'

interface Case {
  label: string
  args: string[]
}

async function sample(
  ctx: BenchContext,
  c: Case,
  runs: number,
): Promise<{ wall: number; rss: number; first: ProcessMeasurement }> {
  const samples: ProcessMeasurement[] = []
  for (let i = 0; i < runs; i++) samples.push(await measureConlab(ctx.root, ['run', ...c.args, '--json']))
  return {
    wall: median(samples.map((s) => s.wallMs)) / 1000,
    rss: Math.max(...samples.map((s) => s.peakRssMB)),
    first: samples[0]!,
  }
}

function hash(m: ProcessMeasurement): string {
  return (JSON.parse(m.stdout) as { stateHash: string }).stateHash
}

export async function benchLab(ctx: BenchContext): Promise<string> {
  const runs = ctx.quick ? 3 : 5
  const out: string[] = []

  // issue 4: pre-copy on real memory images vs the cloudsim migration model
  const planetlab = 'scenarios/planetlab-lab.yaml'
  const cloudsim = await sample(
    ctx,
    { label: 'cloudsim', args: [planetlab, '--set', 'migration.model=cloudsim', '--workers', '0'] },
    runs,
  )
  const precopy = await sample(
    ctx,
    { label: 'precopy', args: [planetlab, '--set', 'migration.model=precopy', '--workers', '0'] },
    runs,
  )
  const ratio = precopy.wall / cloudsim.wall
  out.push(
    'PlanetLab day, lab mode, LR-MMT-1.2: migration model pre-copy vs cloudsim (goal: ≤ 2× the time).',
    '',
    table(
      ['migration model', 'runs', 'wall (s)', 'RSS (MB)', 'ratio', 'goal'],
      [
        ['cloudsim', String(runs), cloudsim.wall.toFixed(3), cloudsim.rss.toFixed(0), '1.00×', ''],
        [
          'precopy',
          String(runs),
          precopy.wall.toFixed(3),
          precopy.rss.toFixed(0),
          `${ratio.toFixed(2)}×`,
          ratio <= 2 ? 'met' : 'NOT met',
        ],
      ],
    ),
    '',
  )

  // issue 3: worker threads
  const rows: string[][] = []
  const scale = 'scenarios/scale-10k.yaml'
  const scaleArgs = ctx.quick ? [scale, '--until', '24h'] : [scale]
  const scaleRuns = ctx.quick ? 1 : 3
  const single = await sample(ctx, { label: '', args: [...scaleArgs, '--workers', '0'] }, scaleRuns)
  const two = await sample(ctx, { label: '', args: [...scaleArgs, '--workers', '2'] }, scaleRuns)
  const speedup = single.wall / two.wall
  const same = hash(single.first) === hash(two.first)
  rows.push(
    [
      'scale-10k' + (ctx.quick ? ' (first day)' : ''),
      'in-thread',
      String(scaleRuns),
      single.wall.toFixed(2),
      single.rss.toFixed(0),
      '1.00×',
      '',
    ],
    [
      '',
      '2 workers',
      String(scaleRuns),
      two.wall.toFixed(2),
      two.rss.toFixed(0),
      `${speedup.toFixed(2)}×`,
      `${!ctx.quick && two.wall <= 15 && speedup >= 1.7 ? 'met' : ctx.quick ? '(full week needed)' : 'NOT met'}${same ? '' : '; HASH DIFFERS'}`,
    ],
  )
  const plIn = await sample(ctx, { label: '', args: [planetlab, '--workers', '0'] }, runs)
  const plTwo = await sample(ctx, { label: '', args: [planetlab, '--workers', '2'] }, runs)
  rows.push(
    ['planetlab-lab', 'in-thread', String(runs), plIn.wall.toFixed(3), plIn.rss.toFixed(0), '1.00×', ''],
    [
      '',
      '2 workers',
      String(runs),
      plTwo.wall.toFixed(3),
      plTwo.rss.toFixed(0),
      `${(plIn.wall / plTwo.wall).toFixed(2)}×`,
      `${plTwo.wall <= plIn.wall * 1.05 ? 'met' : 'NOT met'}${hash(plIn.first) === hash(plTwo.first) ? '' : '; HASH DIFFERS'}`,
    ],
  )
  out.push(
    'Worker threads (goals: scale-10k ≤ 15 s with 2 workers and ≥ 1.7× the single-thread speed; the PlanetLab day no slower).',
    '',
    table(['scenario', 'shards', 'runs', 'wall (s)', 'RSS (MB)', 'speed-up', 'goal'], rows),
  )
  return out.join('\n')
}
