// LabSession, the LabApi implementation every front end talks to: its frames and views come from the
// simulation and agree with a CLI run of the same scenario and seed — in CloudSim's model and in the lab's;
// in lab mode it takes whole-lab checkpoints, rewinds and branches from them as `conlab resume` and
// `conlab branch` continue the same files, and carries out orders (VM snapshots, host failures).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabSession } from '../../engine/api/lab-session'
import type { Frame, LabEvent, RunReport, VmDetails } from '../../engine/api/lab-api'
import { HOST_STATE } from '../../engine/api/lab-api'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { nodeFiles } from '../../engine/platform/node/files'
import { nodeShardPlanner } from '../../engine/platform/node/app-shards'
import { openScenario } from '../../engine/scenario/open'
import { runToEnd } from '../../engine/run'
import { inProcessShards } from '../../engine/lab/shards'
import { decodeState } from '../../engine/checkpoint/codec'
import { asLabCheckpoint, checkpointModel } from '../../engine/checkpoint/lab-checkpoint'
import type { ModelOverrides } from '../../engine/model/cluster-model'
import { ROOT, planetLabModel } from '../helpers'

const catalog = nodeScenarioCatalog(join(ROOT, 'scenarios'))
const SIX_HOURS = 6 * 3600

/** The model `conlab run scenarios/<id>.yaml` runs. */
function builtinModel(id: string, overrides: ModelOverrides = {}) {
  return openScenario(join(ROOT, 'scenarios', `${id}.yaml`), nodeFiles, overrides)
}

/** A report as `conlab run --json` prints it, without the wall time. */
function printed(report: RunReport): unknown {
  return JSON.parse(JSON.stringify({ ...report, wallMs: 0 }))
}

/** Advances to the end in chunks, collecting frames and events. */
async function playToEnd(lab: LabSession, steps = 50, between?: () => Promise<void>) {
  const frames: Frame[] = []
  const events: LabEvent[] = []
  for (;;) {
    const r = await lab.advance({ steps })
    frames.push(...r.frames)
    events.push(...r.events)
    if (r.done) break
    await between?.()
  }
  return { frames, events }
}

describe('LabSession', () => {
  it('lists the built-in scenarios, CloudSim’s PlanetLab experiment as the default', async () => {
    const lab = new LabSession(catalog)
    const list = await lab.listScenarios()
    const ids = list.map((s) => s.id)
    for (const id of ['migration-hot-working-set', 'migration-precopy-uniform', 'planetlab-cloudsim', 'planetlab-lab'])
      expect(ids).toContain(id)
    expect(ids).toEqual([...ids].sort())
    expect(list.find((s) => s.id === 'planetlab-cloudsim')!.mode).toBe('cloudsim')
    expect(list.find((s) => s.id === 'planetlab-lab')!.mode).toBe('lab')
    expect(list.filter((s) => s.default).map((s) => s.id)).toEqual(['planetlab-cloudsim'])
  })

  it('plays a run whose frames end where a CLI run ends', async () => {
    const lab = new LabSession(catalog)
    const info = await lab.open({ builtin: 'planetlab-cloudsim', policy: 'thr-mmt-0.8' })
    expect(info.hosts).toBe(800)
    expect(info.vms).toBe(1052)
    expect(info.mode).toBe('cloudsim')
    expect(info.modeNote).toMatch(/CloudSim 3\.0\.3/)
    let last: Frame | undefined
    const events: LabEvent[] = []
    for (;;) {
      const r = await lab.advance({ steps: 50 })
      last = r.frames.at(-1) ?? last
      events.push(...r.events)
      if (r.done) break
    }
    const cli = await runToEnd(planetLabModel({ policy: 'thr-mmt-0.8' }))
    const report = await lab.report()
    expect(report.energyKWh).toBe(cli.energyKWh)
    expect(report.migrations).toBe(cli.migrations)
    expect(report.stateHash).toBe(cli.stateHash)
    expect(printed(report)).toEqual(printed(cli))
    expect(report.migrationModel).toBe('cloudsim')
    expect(info.migrationModel).toBe('cloudsim')
    expect(last?.migrations).toBe(cli.migrations)
    expect(events.filter((e) => e.kind === 'migration-start')).toHaveLength(cli.migrations)
    expect(events.filter((e) => e.kind === 'migration-end').length).toBeGreaterThan(cli.migrations - 200)
    expect(events.find((e) => e.kind === 'overload')!.message).toMatch(
      /over-loaded — static threshold: utilization \d+\.\d % > threshold 80\.0 %/,
    )
    expect(events.find((e) => e.kind === 'migration-start')!.message).toMatch(
      /power-aware best fit: the host whose power rises least \(\+\d+\.\d\d W/,
    )
    expect(events.filter((e) => e.kind === 'vm-removed')).toHaveLength(532)
  })

  it('answers placement and detail questions from the simulation state', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'planetlab-cloudsim' })
    const { frames } = await lab.advance({ untilSeconds: 6 * 3600 })
    expect(frames.at(-1)!.time).toBeGreaterThanOrEqual(6 * 3600 - 300)
    const p = await lab.placement()
    const placed = [...p.vmHost].filter((h) => h >= 0)
    expect(placed.length).toBe(frames.at(-1)!.vmsRunning)
    const busy = new Set(placed)
    const host = [...busy][0]!
    const details = await lab.hostDetails(host)
    expect(details.vms.length).toBeGreaterThan(0)
    expect(details.cpuUtilization).toBeCloseTo(p.hostCpu[host]!, 12)
    const vm = details.vms[0]!.vm
    const vmd = await lab.vmDetails(vm)
    expect(vmd.host).toBe(host)
    expect(vmd.workload).toHaveLength(288)
    expect(vmd.utilizationHistory.length).toBeGreaterThan(0)
    expect(vmd.stealMips).toBeCloseTo(Math.max(0, vmd.demandMips - vmd.grantedMips), 9)
    await expect(lab.hostDetails(9999)).rejects.toThrow(/no host 9999/)
    // each VM's migrations, from the decisions and completions the run reported
    let moved: VmDetails | undefined
    for (let v = 0; v < 1052 && !moved; v++) {
      const d = await lab.vmDetails(v)
      if (d.migrations.filter((m) => m.outcome === 'completed').length > 1) moved = d
    }
    const moves = moved!.migrations
    for (let i = 1; i < moves.length; i++) expect(moves[i]!.source).toBe(moves[i - 1]!.target)
    for (const m of moves.filter((x) => x.outcome === 'completed')) {
      // CloudSim's migration time: RAM ÷ half of the 1 Gbit/s link
      expect(m.end! - m.start).toBeCloseTo(moved!.ramMB / (1e6 / (2 * 8000)), 9)
    }
  })

  it('refuses an unknown built-in scenario with the list of known ones', async () => {
    const lab = new LabSession(catalog)
    await expect(lab.open({ builtin: 'nope' })).rejects.toThrow(
      /expected one of the built-in scenarios \(.*planetlab-cloudsim/,
    )
  })
})

describe('LabSession in the lab model', () => {
  it('plays planetlab-lab to the end as `conlab run` does, whatever the views asked in between', async () => {
    const lab = new LabSession(catalog)
    const info = await lab.open({ builtin: 'planetlab-lab' })
    expect(info.mode).toBe('lab')
    expect(info.migrationModel).toBe('cloudsim')
    expect(info.modeNote).toMatch(/^Lab mode: .*Migrations: CloudSim's migration model/)
    expect(info.migrationNote).toMatch(/at most 4 per host/)
    expect(info.policies).toContain('lr-mmt-1.2')
    expect(info.policies).toContain('none')
    expect(info.policies).not.toContain('npa')
    expect(info.policy).toBe('lr-mmt-1.2')
    expect(info.vmNames[0]).toBe('146-179_surfsnel_dsl_internl_net_colostate_557')
    let vm = 0
    const { frames, events } = await playToEnd(lab, 25, async () => {
      // every view, every chunk: reading the lab must not change it
      const p = await lab.placement()
      vm = (vm + 97) % 1052
      await lab.hostDetails(p.vmHost[vm]!)
      await lab.vmDetails(vm)
      await lab.report()
    })
    expect(frames).toHaveLength(288)
    const model = builtinModel('planetlab-lab')
    const cli = await runToEnd(model)
    const report = await lab.report()
    expect(report.energyKWh).toBe(cli.energyKWh)
    expect(report.migrations).toBe(cli.migrations)
    expect(report.stateHash).toBe(cli.stateHash)
    expect(report.migrationsDetail).toHaveLength(cli.migrationsDetail!.length)
    expect(report.migrationsDetail!.length).toBeGreaterThan(100)
    // the whole report, key for key, is what `conlab run --json` prints (the wall time aside)
    expect(printed(report)).toEqual(printed(cli))
    expect(report.activeHosts).toBe(frames.at(-1)!.activeHosts)
    expect(report.activeHosts).toBeGreaterThan(0)
    // frames: the last one is where the run ends; SLATAH so far and each interval's SLA share are fractions
    const last = frames.at(-1)!
    expect(last.time).toBe(86400)
    expect(last.energyKWh).toBe(cli.energyKWh)
    expect(last.migrations).toBe(cli.migrations)
    for (const f of frames) {
      expect(f.slaViolationShare).toBeGreaterThanOrEqual(0)
      expect(f.slaViolationShare).toBeLessThanOrEqual(1)
    }
    expect(last.slatah).toBe(cli.slatah)
    // events: every completion is one migration-end, every decision one migration-start
    expect(events.filter((e) => e.kind === 'migration-end')).toHaveLength(cli.migrationStats!.completed)
    expect(events.filter((e) => e.kind === 'migration-start').length).toBeGreaterThanOrEqual(cli.migrations)
    expect(events.find((e) => e.kind === 'migration-start')!.message).toMatch(
      /power-aware best fit: the host whose power rises least \(\+\d+\.\d\d W/,
    )
    expect(events.filter((e) => e.kind === 'host-off')).toHaveLength(cli.hostShutdowns)
    // the same run split over several shards gives the same figures
    const sharded = await runToEnd(builtinModel('planetlab-lab'), { shards: 3, shardFactory: inProcessShards })
    expect(sharded.stateHash).toBe(report.stateHash)
  })

  it('stops where `conlab run --until` stops, with the report of that time', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'planetlab-lab', policy: 'thr-mmt-0.8', seed: 3 })
    const { frames } = await lab.advance({ untilSeconds: SIX_HOURS })
    expect(frames.at(-1)!.time).toBe(SIX_HOURS)
    const cli = await runToEnd(builtinModel('planetlab-lab', { policy: 'thr-mmt-0.8', seed: 3 }), {
      untilSeconds: SIX_HOURS,
    })
    const report = await lab.report()
    expect(report.policy).toBe('thr-mmt-0.8')
    expect(report.simulatedSeconds).toBe(SIX_HOURS)
    expect(printed(report)).toEqual(printed(cli))
  })

  it('answers placement, host and VM questions from the lab model’s state', async () => {
    const lab = new LabSession(catalog)
    const info = await lab.open({ builtin: 'planetlab-lab' })
    const { frames } = await lab.advance({ untilSeconds: SIX_HOURS })
    const frame = frames.at(-1)!
    const p = await lab.placement()
    expect(p.time).toBe(SIX_HOURS)
    expect([...p.vmHost].filter((h) => h >= 0)).toHaveLength(frame.vmsRunning)
    const on = [...p.hostState].filter((s) => s === HOST_STATE.on)
    expect(on.length).toBeGreaterThanOrEqual(frame.activeHosts)
    let powerW = 0
    let cpuMips = 0
    for (let h = 0; h < info.hosts; h++) {
      const details = await lab.hostDetails(h)
      powerW += details.powerW
      cpuMips += details.cpuUtilization * details.totalMips
      expect(details.cpuUtilization).toBe(p.hostCpu[h])
      expect(details.state).toBe(p.hostState[h])
      const running = details.vms.filter((v) => v.migratingFrom === undefined)
      expect(running.map((v) => v.vm)).toEqual([...p.vmHost].flatMap((at, v) => (at === h ? [v] : [])))
      // RAM is enforced in the lab model
      expect(p.hostRam[h]).toBeLessThanOrEqual(1)
      // an empty host is off, drawing its BMC's standby power (hostTypes.*.offPowerW, 10 W by default)
      if (running.length === 0) expect(details.powerW).toBe(10)
    }
    // the hosts' figures add up to the frame's
    expect(powerW).toBeCloseTo(frame.powerW, 6)
    const totalMips = [...info.hostType].reduce((a, t) => a + info.hostTypes[t]!.totalMips, 0)
    expect(cpuMips / totalMips).toBeCloseTo(frame.cpuUtilization, 12)

    const busy = await lab.hostDetails(p.vmHost[0]!)
    expect(busy.vms.length).toBeGreaterThan(0)
    expect(busy.utilizationHistory.length).toBeGreaterThan(0)
    expect(busy.utilizationHistory.length).toBeLessThanOrEqual(30)
    expect(busy.activeSeconds).toBeGreaterThan(0)
    const v = busy.vms[0]!.vm
    const vmd = await lab.vmDetails(v)
    expect(vmd.host).toBe(busy.host)
    expect(vmd.state).toBe('running')
    expect(vmd.demandMips).toBe(p.vmDemandMips[v])
    expect(vmd.grantedMips).toBe(p.vmGrantedMips[v])
    expect(vmd.stealMips).toBe(Math.max(0, vmd.demandMips - vmd.grantedMips))
    expect(vmd.utilizationHistory).toHaveLength(30)
    expect(vmd.utilizationHistory[0]).toBeCloseTo(vmd.demandMips / vmd.mips, 12)
    // the workload over the whole run: the demand the VM was given at each interval
    expect(vmd.workload).toHaveLength(288)
    expect(vmd.workload[frame.step - 1]!.value).toBeCloseTo(vmd.demandMips / vmd.mips, 12)
    for (let i = 0; i < 30; i++)
      expect(vmd.workload[frame.step - 1 - i]!.value).toBeCloseTo(vmd.utilizationHistory[i]!, 12)
    await expect(lab.vmDetails(1052)).rejects.toThrow(/no VM 1052 \(0\.\.1051\)/)
  })

  it('shows a live migration: in flight, then its query-migrate figures; events carry the downtime', async () => {
    const lab = new LabSession(catalog)
    const set = ['migration.autoConverge=true']
    const info = await lab.open({ builtin: 'migration-hot-working-set', set })
    expect(info.settings).toEqual(set)
    expect(info.migrationModel).toBe('precopy')
    expect(info.modeNote).toMatch(/Migrations: QEMU's pre-copy live migration/)
    expect(info.migrationNote).toBe(
      'pre-copy · max 128 MiB/s · downtime limit 300 ms · auto-converge on · timeout 120 s (then cancel) · at most 8 per host (by NIC, as vMotion)',
    )
    expect(info.intervalSeconds).toBe(10)
    await lab.advance({ untilSeconds: 70 })
    // at 70 s the VM is being moved (it started at 60 s)
    const moving = await lab.vmDetails(0)
    expect(moving.state).toBe('migrating')
    expect(moving.host).toBe(0)
    expect(moving.migratingTo).toEqual({ target: 1, start: 60 })
    expect(moving.migrations).toEqual([
      expect.objectContaining({ source: 0, target: 1, start: 60, outcome: 'in-flight', status: 'active' }),
    ])
    const p = await lab.placement()
    expect(p.vmMigratingTo[0]).toBe(1)
    expect(p.vmHost[0]).toBe(0)
    const target = await lab.hostDetails(1)
    expect(target.vms).toEqual([expect.objectContaining({ vm: 0, migrating: true, migratingFrom: 0, grantedMips: 0 })])
    const source = await lab.hostDetails(0)
    expect(source.vms).toEqual([expect.objectContaining({ vm: 0, migrating: true, migratingTo: 1 })])

    const { events } = await playToEnd(lab)
    const cli = await runToEnd(builtinModel('migration-hot-working-set', { set }))
    const report = await lab.report()
    expect(report.stateHash).toBe(cli.stateHash)
    expect(report.energyKWh).toBe(cli.energyKWh)
    expect(report.migrations).toBe(1)
    expect(report.migrationsDetail).toHaveLength(1)
    expect(printed(report)).toEqual(printed(cli))
    const record = cli.migrationsDetail![0]!
    const info0 = record.info!
    const end = events.find((e) => e.kind === 'migration-end')!
    expect(end.vm).toBe(0)
    expect(end.targetHost).toBe(1)
    expect(end.message).toBe(
      `VM 0 now runs on host 1 (moved in ${(record.end - record.start).toFixed(1)} s, ${info0.downtime!.toFixed(0)} ms downtime)`,
    )
    // the last 39 MB at the 10 GbE link's 1.25 GB/s, plus the 20 ms resume (not max-bandwidth's 128 MiB/s)
    expect(end.message).toMatch(/\(moved in 19\.6 s, 52 ms downtime\)/)
    expect(events.filter((e) => e.kind === 'info').map((e) => e.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/auto-converge: guest throttled to 20 %/)]),
    )

    const done = await lab.vmDetails(0)
    expect(done.state).toBe('running')
    expect(done.host).toBe(1)
    expect(done.migratingTo).toBeUndefined()
    expect(done.migrations).toHaveLength(1)
    const m = done.migrations[0]!
    expect(m).toMatchObject({
      source: 0,
      target: 1,
      start: 60,
      end: record.end,
      outcome: 'completed',
      status: 'completed',
      downtimeMs: info0.downtime,
      transferredBytes: info0.ram.transferred,
      totalBytes: 1024 ** 3,
      rounds: 19,
      throttleSteps: [20, 30, 40],
    })
    expect(m.downtimeMs).toBeCloseTo(51.5, 1)
    expect(m.transferredBytes! / 2 ** 30).toBeCloseTo(2.46, 2)
    expect(m.info).toEqual(info0)
  })

  it('shows a migration called off at its timeout, and why', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'migration-hot-working-set' })
    const { events } = await playToEnd(lab)
    const vm = await lab.vmDetails(0)
    expect(vm.host).toBe(0)
    expect(vm.state).toBe('running')
    expect(vm.migrations).toHaveLength(1)
    expect(vm.migrations[0]).toMatchObject({ outcome: 'called-off', status: 'cancelled', start: 60, end: 180 })
    expect(vm.migrations[0]!.throttleSteps).toEqual([])
    expect(vm.migrations[0]!.reason).toMatch(/^not converged after 120\.0 s \(timeout 120 s\)/)
    expect(events.filter((e) => e.kind === 'migration-end')).toHaveLength(0)
    expect(events.filter((e) => e.kind === 'warning').map((e) => e.message)).toContain(
      'VM 0 stays on host 0: its migration to host 1 was cancelled',
    )
    const report = await lab.report()
    expect(report.migrationStats).toMatchObject({ completed: 0, calledOff: 1, lost: 0 })
  })

  it('shows the memory hosts manage (KSM, balloons, swap) and the report’s memory section', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'memory-overcommit' })
    await lab.advance({ untilSeconds: 3600 })
    const cli = await runToEnd(builtinModel('memory-overcommit'), { untilSeconds: 3600 })
    const report = await lab.report()
    expect(printed(report)).toEqual(printed(cli))
    expect(report.memory!.final.ksmSavedGiB).toBeGreaterThan(0)
    expect(report.vmsKilled).toBe(0)
    const host = await lab.hostDetails(0)
    const m = host.memory!
    expect(m.configuredMB).toBe(12 * 2048)
    expect(m.ksmSavedMB).toBeGreaterThan(0)
    expect(m.residentMB).toBeLessThanOrEqual(host.ramMB)
    expect(['none', 'pressure', 'critical']).toContain(m.pressure)
    // the map's RAM bar is the resident memory, not the 1.5× overcommitted configured RAM
    expect((await lab.placement()).hostRam[0]).toBe(m.residentMB / host.ramMB)
    const vm = await lab.vmDetails(0)
    expect(vm.schedulerStealMips).toBeGreaterThanOrEqual(0)
    // hosts that do not manage memory have no memory section
    await lab.open({ builtin: 'migration-precopy-uniform' })
    await lab.advance()
    expect((await lab.hostDetails(0)).memory).toBeUndefined()
    expect((await lab.report()).memory).toBeUndefined()
  })

  it('gives a generated workload’s series exactly as the shards draw it', async () => {
    const text = `
name: Generated workloads
mode: lab
seed: 7
duration: 2h
interval: 5m
policy: none
migration: { model: cloudsim }
hostTypes:
  s: { cores: 8, mipsPerCore: 2500, ramMB: 65536, nicMbps: 1000, power: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200] }
hosts:
  - { type: s, count: 2 }
vmTypes:
  v: { vcpus: 2, mips: 2000, ramMB: 2048 }
vms:
  - { type: v, count: 3, workload: { kind: diurnal, mean: 0.5, amplitude: 0.3, period: 2h, noise: 0.05 } }
  - { type: v, count: 3, workload: { kind: bursty, base: 0.1, burst: 0.9, probability: 0.2, meanBurstIntervals: 3 } }
  - { type: v, count: 2, workload: { kind: random-walk, start: 0.4, step: 0.1, min: 0, max: 1 } }
`
    const lab = new LabSession(catalog)
    const info = await lab.open({ fileName: 'generated.yaml', text })
    expect(info.vmNames).toEqual([
      'vm-0 (diurnal)',
      'vm-1 (diurnal)',
      'vm-2 (diurnal)',
      'vm-3 (bursty)',
      'vm-4 (bursty)',
      'vm-5 (bursty)',
      'vm-6 (random-walk)',
      'vm-7 (random-walk)',
    ])
    const series = await Promise.all(info.vmNames.map((_, v) => lab.vmDetails(v).then((d) => d.workload)))
    for (const s of series) expect(s).toHaveLength(24)
    for (let k = 0; k < 24; k++) {
      await lab.advance()
      for (let v = 0; v < 8; v++) {
        const d = await lab.vmDetails(v)
        expect(d.demandMips / d.mips).toBeCloseTo(series[v]![k]!.value, 12)
      }
    }
    expect(new Set(series[3]!.map((p) => p.value)).size).toBeGreaterThan(1)
  })

  it('serves calls in the order they arrive, each answer after the calls before it', async () => {
    const lab = new LabSession(catalog)
    const [info, first, p1, advanced, p2, report] = await Promise.all([
      lab.open({ builtin: 'planetlab-lab' }),
      lab.advance({ steps: 4 }),
      lab.placement(),
      lab.advance({ steps: 8 }),
      lab.placement(),
      lab.report(),
    ])
    expect(info.hosts).toBe(800)
    expect(first.frames.map((f) => f.time)).toEqual([300, 600, 900, 1200])
    expect(p1.time).toBe(1200)
    expect(advanced.frames.at(-1)!.time).toBe(3600)
    expect(p2.time).toBe(3600)
    expect(report.simulatedSeconds).toBe(3600)
  })

  it('refuses a bad setting and keeps the scenario that was open', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'migration-precopy-uniform' })
    await lab.advance({ steps: 3 })
    await expect(lab.open({ builtin: 'migration-hot-working-set', set: ['migration.autoConverge'] })).rejects.toThrow(
      /--set migration\.autoConverge: expected path=value/,
    )
    await expect(
      lab.open({ builtin: 'migration-hot-working-set', set: ['migration.downtimeLimit=soon'] }),
    ).rejects.toThrow(/migration\.downtimeLimit/)
    expect((await lab.placement()).time).toBe(30)
    expect((await lab.report()).scenario).toBe('Pre-copy of one 4 GiB VM, uniform writes')
  })
})

/** Advances until `seconds`, collecting the frames and events. */
async function playUntil(lab: LabSession, seconds: number) {
  const r = await lab.advance({ untilSeconds: seconds })
  return { frames: r.frames, events: r.events }
}

const TWELVE_HOURS = 12 * 3600

describe('LabSession checkpoints', () => {
  it('rewinds to a checkpoint: the same frames and state hash as the run that went on, also from its file in a new session with worker threads', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'planetlab-lab' })
    const before = await playUntil(lab, SIX_HOURS)
    const file = await lab.checkpoint('six hours')
    expect(file).toMatchObject({
      id: 1,
      name: 'six hours',
      time: SIX_HOURS,
      policy: 'lr-mmt-1.2',
      seed: 1,
      scenario: 'PlanetLab 2011-03-03, lab model',
      fileName: 'planetlab-lab-t0000021600.ckpt',
      branch: 1,
    })
    expect(file.sizeBytes).toBe(file.bytes.length)
    const after = await playUntil(lab, TWELVE_HOURS)
    const expected = await lab.report()
    expect(after.frames.at(-1)!.time).toBe(TWELVE_HOURS)

    // rewind: the lab is back at 6 h exactly, with the run's history up to there
    const r = await lab.restoreCheckpoint(file.id)
    expect(r.checkpoint.id).toBe(1)
    expect(r.branch).toMatchObject({ id: 2, policy: 'lr-mmt-1.2', from: { checkpoint: 1, time: SIX_HOURS } })
    expect(r.done).toBe(false)
    expect(r.scenario).toEqual({ builtin: 'planetlab-lab' })
    expect(r.frames).toEqual(before.frames)
    expect(r.events.slice(0, -1)).toEqual(before.events)
    expect(r.events.at(-1)!.message).toBe(
      'rewound to "six hours" (0d 06:00): the lab goes on from there with lr-mmt-1.2',
    )
    expect((await lab.placement()).time).toBe(SIX_HOURS)
    const at6 = await lab.report()
    expect(at6.simulatedSeconds).toBe(SIX_HOURS)
    expect(at6.energyKWh).toBe(before.frames.at(-1)!.energyKWh)
    expect(at6.resumedFrom).toEqual({ checkpoint: 'six hours', time: SIX_HOURS, policy: 'lr-mmt-1.2' })
    // and goes on as before, frame for frame, to the same state
    const again = await playUntil(lab, TWELVE_HOURS)
    expect(again.frames).toEqual(after.frames)
    const report = await lab.report()
    expect(report.stateHash).toBe(expected.stateHash)
    expect(printed({ ...report, resumedFrom: undefined })).toEqual(printed(expected))

    // the file is the CLI's: `conlab resume` continues it to the same state
    const c = asLabCheckpoint(decodeState(file.bytes, file.fileName), file.fileName)
    expect(c.time).toBe(SIX_HOURS)
    expect(c.scenario).toMatchObject({ name: 'PlanetLab 2011-03-03, lab model', set: [] })
    const cli = await runToEnd(checkpointModel(c, nodeFiles), { resume: c.lab, untilSeconds: TWELVE_HOURS })
    expect(cli.stateHash).toBe(expected.stateHash)

    // loaded from the file in another session, hosts in two worker threads: the same again
    const other = new LabSession(catalog, 'node', { shards: nodeShardPlanner() })
    try {
      const loaded = await other.restoreCheckpoint(file.bytes, { fileName: 'six.ckpt', workers: 2 })
      expect(loaded.info.shards).toEqual({ count: 2, where: 'worker-threads' })
      expect(loaded.checkpoint).toMatchObject({ id: 1, name: 'six.ckpt', time: SIX_HOURS })
      expect(loaded.checkpoint.branch).toBeUndefined()
      // the file carries the run's frames (the charts), not its events
      expect(loaded.frames).toEqual(before.frames)
      expect(loaded.events).toHaveLength(1)
      const third = await playUntil(other, TWELVE_HOURS)
      expect(third.frames).toEqual(after.frames)
      expect((await other.report()).stateHash).toBe(expected.stateHash)
      expect((await other.report()).shards).toBe(2)
    } finally {
      await other.close()
    }
  })

  it('branches with another policy as `conlab branch` does, and lists the runs with their final reports', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'planetlab-lab' })
    await playUntil(lab, SIX_HOURS)
    const file = await lab.checkpoint()
    expect(file.name).toBe('checkpoint at 0d 06:00')
    const r = await lab.restoreCheckpoint(file.id, { policy: 'thr-mmt-0.8' })
    expect(r.info.policy).toBe('thr-mmt-0.8')
    expect(r.events.at(-1)!.message).toBe(
      'branch from "checkpoint at 0d 06:00" (0d 06:00): thr-mmt-0.8 instead of lr-mmt-1.2',
    )
    await playToEnd(lab, 100)
    const report = await lab.report()
    expect(report.policy).toBe('thr-mmt-0.8')
    expect(report.simulatedSeconds).toBe(86400)
    const c = asLabCheckpoint(decodeState(file.bytes), 'checkpoint')
    const cli = await runToEnd(checkpointModel(c, nodeFiles, { policy: 'thr-mmt-0.8' }), { resume: c.lab })
    expect(report.stateHash).toBe(cli.stateHash)
    expect(printed({ ...report, resumedFrom: undefined })).toEqual(printed(cli))
    expect(report.resumedFrom).toEqual({ checkpoint: 'checkpoint at 0d 06:00', time: SIX_HOURS, policy: 'lr-mmt-1.2' })

    // a branch with other parameters, from the same checkpoint
    await lab.restoreCheckpoint(file.id, { set: ['consolidation.underloadEvery=1h'] })
    await playToEnd(lab, 100)
    const slower = await lab.report()
    const cliSlower = await runToEnd(checkpointModel(c, nodeFiles, { set: ['consolidation.underloadEvery=1h'] }), {
      resume: c.lab,
    })
    expect(slower.stateHash).toBe(cliSlower.stateHash)
    expect(slower.migrations).not.toBe(report.migrations)

    // the runs of this scenario: from the start (left at 6 h), and the two branches with their final reports
    const { checkpoints, branches } = await lab.checkpoints()
    expect(checkpoints.map((x) => [x.id, x.time, x.policy])).toEqual([[1, SIX_HOURS, 'lr-mmt-1.2']])
    expect(branches.map((b) => [b.label, b.from?.checkpoint, b.time, b.current, b.report !== undefined])).toEqual([
      ['lr-mmt-1.2', undefined, SIX_HOURS, false, false],
      ['thr-mmt-0.8', 1, 86400, false, true],
      ['lr-mmt-1.2 + consolidation.underloadEvery=1h', 1, 86400, true, true],
    ])
    const { migrationsDetail: _detail, ...comparable } = report
    expect(branches[1]!.report).toEqual({ ...comparable, wallMs: branches[1]!.report!.wallMs })
    expect(branches[2]!.report!.stateHash).toBe(slower.stateHash)
    expect(branches[2]!.settings).toEqual(['consolidation.underloadEvery=1h'])

    // opening the same scenario again keeps the lists (a new run from the start); another scenario clears them
    await lab.open({ builtin: 'planetlab-lab', policy: 'mad-mmt-2.5' })
    expect((await lab.checkpoints()).branches.map((b) => b.label).at(-1)).toBe('mad-mmt-2.5')
    expect((await lab.checkpoints()).checkpoints).toHaveLength(1)
    await lab.open({ builtin: 'ha-drill' })
    expect(await lab.checkpoints()).toEqual({
      checkpoints: [],
      branches: [expect.objectContaining({ label: 'lr-mmt-1.2', current: true, time: 0 })],
    })
    await expect(lab.restoreCheckpoint(1)).rejects.toThrow(/no checkpoint 1 in this session/)
  })

  it('refuses a damaged or foreign file and keeps the run that was open', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'planetlab-lab' })
    await lab.advance({ steps: 6 })
    const file = await lab.checkpoint()
    await lab.advance({ steps: 6 })
    const flipped = file.bytes.slice()
    flipped[Math.floor(flipped.length / 2)]! ^= 0x10
    await expect(lab.restoreCheckpoint(flipped, { fileName: 'flipped.ckpt' })).rejects.toThrow(/^flipped\.ckpt: /)
    await expect(lab.restoreCheckpoint(file.bytes.subarray(0, 1000), { fileName: 'short.ckpt' })).rejects.toThrow(
      /^short\.ckpt: /,
    )
    await expect(lab.restoreCheckpoint(new TextEncoder().encode('name: not a checkpoint'))).rejects.toThrow(
      /checkpoint file/,
    )
    expect((await lab.placement()).time).toBe(3600)
    // CloudSim's model keeps no checkpoints and takes no orders
    await lab.open({ builtin: 'planetlab-cloudsim' })
    await expect(lab.checkpoint()).rejects.toThrow(/checkpoints need a lab-mode scenario/)
    await expect(lab.order({ failHost: { host: 0 } })).rejects.toThrow(/orders .* need a lab-mode scenario/)
  })
})

describe('LabSession orders', () => {
  /** tests/fixtures/snapshots.yaml without its scheduled events: the snapshots come from orders here. */
  const SNAPSHOTS = {
    fileName: join(ROOT, 'tests', 'fixtures', 'snapshots-by-order.yaml'),
    text: readFileSync(join(ROOT, 'tests', 'fixtures', 'snapshots.yaml'), 'utf8').replace(/^events:[^]*$/m, ''),
  }

  it('takes, reverts and deletes VM snapshots; the tree, "You are here" and refusals show in VmDetails and events', async () => {
    const lab = new LabSession(catalog)
    const info = await lab.open(SNAPSHOTS)
    expect(info.memoryImages).toBe(true)
    expect(info.labActions).toBe(true)
    await lab.advance({ steps: 10 })
    expect((await lab.vmDetails(0)).snapshots).toEqual([])
    await lab.order({ snapshot: { vm: 0, name: 'base', description: 'before the change', memory: true } })
    // orders wait for the next step
    expect((await lab.vmDetails(0)).snapshots).toEqual([])
    let r = await lab.advance({ steps: 1 })
    expect(r.events.map((e) => [e.time, e.kind, e.vm])).toEqual([[600, 'snapshot', 0]])
    expect(r.events[0]!.message).toMatch(/^VM 0: snapshot "base" with memory stores \d+\.\d MiB \(\d+ pages\); saving/)
    const taken = await lab.vmDetails(0)
    expect(taken.snapshots).toEqual([
      expect.objectContaining({ id: 1, name: 'base', description: 'before the change', time: 600, memory: true }),
    ])
    const base = taken.snapshots![0]!
    expect(base.current).toBe(true)
    expect(base.parent).toBeNull()
    expect(base.sizeBytes).toBe(base.memoryBytes + base.stateBytes)
    expect(base.storedPages).toBeGreaterThan(0)
    const demandAfterTake = taken.demandMips

    await lab.advance({ steps: 9 })
    await lab.order({ revert: { vm: 0, snapshot: 'base' } })
    r = await lab.advance({ steps: 1 })
    expect(r.events[0]!.message).toMatch(/^VM 0: reverted to "base" \(taken at 600 s\)/)
    // the VM runs on from the snapshot's state: the workload walks on from where it was at the take
    expect((await lab.vmDetails(0)).demandMips).toBe(demandAfterTake)

    // a branch after the revert (a disk-only child of base) and a refusal, in the same step
    await lab.order({ snapshot: { vm: 0, name: 'retry', description: '', memory: false } })
    await lab.order({ revert: { vm: 0, snapshot: 'nope' } })
    r = await lab.advance({ steps: 1 })
    expect(r.events.map((e) => [e.kind, e.message])).toEqual([
      ['snapshot', 'VM 0: snapshot "retry" (disk only) stores 0.0 MiB (0 pages)'],
      ['warning', 'cannot revert VM 0: VM 0 has no snapshot named "nope"'],
    ])
    expect((await lab.vmDetails(0)).snapshots!.map((x) => [x.name, x.parent, x.children, x.current])).toEqual([
      ['base', null, [2], false],
      ['retry', 1, [], true],
    ])
    await lab.order({ deleteSnapshot: { vm: 0, snapshot: 'base', children: false } })
    await lab.advance({ steps: 1 })
    expect((await lab.vmDetails(0)).snapshots!.map((x) => [x.name, x.parent, x.current])).toEqual([
      ['retry', null, true],
    ])

    // the trees are in whole-lab checkpoints: a rewind brings "base" back
    await lab.open(SNAPSHOTS)
    await lab.advance({ steps: 10 })
    await lab.order({ snapshot: { vm: 0, name: 'base', description: '', memory: true } })
    await lab.advance({ steps: 1 })
    const c = await lab.checkpoint()
    await lab.order({ deleteSnapshot: { vm: 0, snapshot: 'base', children: false } })
    await lab.advance({ steps: 1 })
    expect((await lab.vmDetails(0)).snapshots).toEqual([])
    await lab.restoreCheckpoint(c.id)
    expect((await lab.vmDetails(0)).snapshots!.map((x) => x.name)).toEqual(['base'])
  })

  it('checks orders at the contract and refuses snapshots where VMs have no memory images', async () => {
    const lab = new LabSession(catalog)
    const info = await lab.open({ builtin: 'planetlab-lab' })
    expect(info.memoryImages).toBe(false)
    await expect(lab.order({ snapshot: { vm: 1052, name: 'x', description: '', memory: true } })).rejects.toThrow(
      'order: snapshot.vm: expected a VM number 0..1051, found 1052',
    )
    await expect(lab.order({ failHost: { host: -1 } })).rejects.toThrow(/order: failHost\.host: expected a host number/)
    await expect(lab.order({ explode: { vm: 0 } } as never)).rejects.toThrow(/order: expected one of migrate, /)
    await expect(lab.order({ revert: { vm: 0, snapshot: '' } })).rejects.toThrow(
      /revert\.snapshot: expected a non-empty/,
    )
    await lab.order({ snapshot: { vm: 0, name: 'x', description: '', memory: true } })
    const r = await lab.advance({ steps: 1 })
    expect(r.events.filter((e) => e.vm === 0 && e.kind === 'warning').map((e) => e.message)).toEqual([
      'ordered: snapshot operation: VMs have no memory images in this scenario (set memory.images: true)',
    ])
  })

  it('fails a host by order: HA restarts its VMs and the report has the ha section, as a scheduled failure would', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'ha-drill' })
    await lab.advance({ untilSeconds: 3600 })
    const host = (await lab.hostDetails(3)).vms.length > 0 ? 3 : (await lab.placement()).vmHost[0]!
    const victims = (await lab.hostDetails(host)).vms.map((v) => v.vm)
    expect(victims.length).toBeGreaterThan(0)
    await lab.order({ failHost: { host } })
    let r = await lab.advance({ steps: 1 })
    expect(r.events.filter((e) => e.kind === 'host-failed')).toEqual([
      expect.objectContaining({
        time: 3660,
        host,
        message: `ordered: host ${host} failed with ${victims.length} VMs; HA restarts them after 15 s of detection`,
      }),
    ])
    expect((await lab.hostDetails(host)).state).toBe(HOST_STATE.failed)
    expect((await lab.placement()).hostState[host]).toBe(HOST_STATE.failed)
    r = await lab.advance({ steps: 3 })
    const restarts = r.events.filter((e) => e.kind === 'ha-restart')
    expect(restarts.map((e) => e.vm).sort((a, b) => a! - b!)).toEqual(victims)
    const report = await lab.report()
    expect(report.ha).toMatchObject({ hostFailures: 1, vmsAffected: victims.length, restarted: victims.length })
    expect(report.ha!.failures[0]).toMatchObject({ host, time: 3660 })
    // the same failure written into the scenario ends in the same state
    await playUntil(lab, 3 * 3600)
    const ordered = await lab.report()
    const scheduled = await runToEnd(
      builtinModel('ha-drill', {
        set: [
          `events=[{at: 61m, failHost: {host: ${host}}}, {at: 2h, failHost: {host: 0}}, {at: 6h, failHost: {host: 1}}]`,
        ],
      }),
      { untilSeconds: 3 * 3600 },
    )
    expect(ordered.stateHash).toBe(scheduled.stateHash)
    expect(ordered.ha).toEqual(scheduled.ha)
    // repair: the host is back, switched off and usable
    await lab.order({ repairHost: { host } })
    r = await lab.advance({ steps: 1 })
    expect(r.events.some((e) => e.kind === 'host-failed' && e.host === host && /repaired/.test(e.message))).toBe(true)
    expect((await lab.hostDetails(host)).state).not.toBe(HOST_STATE.failed)
    expect((await lab.report()).ha!.hostRepairs).toBeGreaterThanOrEqual(1)
  })

  it('shows a migration in flight with query-migrate’s live figures, and a queued one with its waiting time', async () => {
    const lab = new LabSession(catalog)
    await lab.open({ builtin: 'migration-hot-working-set', set: ['migration.autoConverge=true'] })
    await lab.advance({ untilSeconds: 70 })
    const m = (await lab.vmDetails(0)).migrations[0]!
    expect(m).toMatchObject({ outcome: 'in-flight', status: 'active', phase: 'precopy', totalBytes: 1024 ** 3 })
    const info = m.info!
    expect(m.transferredBytes).toBe(info.ram.transferred)
    expect(m.remainingBytes).toBe(info.ram.remaining)
    expect(m.expectedDowntimeMs).toBe(info['expected-downtime'])
    expect(m.rounds).toBe(info.lab.rounds)
    expect(m.throttlePercent).toBe(info['cpu-throttle-percentage'] ?? 0)
    expect(m.transferredBytes).toBeGreaterThan(0)
    expect(m.remainingBytes).toBeGreaterThan(0)

    await lab.open({ builtin: 'ha-drill' })
    await lab.advance({ untilSeconds: 3600 })
    const off = [...(await lab.placement()).hostState].indexOf(HOST_STATE.off)
    await lab.order({ migrate: { vm: 0, to: off } })
    const r = await lab.advance({ steps: 2 })
    expect(r.events[0]!.message).toMatch(new RegExp(`^ordered: migrate VM 0 from host \\d to host ${off}$`))
    const vm = await lab.vmDetails(0)
    expect(vm.state).toBe('migrating')
    expect(vm.migratingTo).toEqual({ target: off, queuedSince: 3600, queuedSeconds: 120 })
  })
})
