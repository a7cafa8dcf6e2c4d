// Bad trace files — a wrong separator, a missing column, text in a number, timestamps going back — are
// refused with the file, the line and the column (where the field starts), in the engine and through the
// app's LabSession; with badRows: skip the bad rows are skipped and counted in the report.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LabInputError } from '../../engine/scenario/diagnostics'
import { LabSession } from '../../engine/api/lab-session'
import { nodeScenarioCatalog } from '../../engine/platform/node/catalog'
import { ROOT } from '../helpers'
import { FIXTURES, SMALL_CLUSTER, modelOf } from '../workload-reference'

const BB = readFileSync(join(FIXTURES, 'bitbrains-rnd-2013-07-16', '1.csv'), 'utf8').split('\n')
const ALI = readFileSync(join(FIXTURES, 'alibaba-2018', 'machine_usage.csv'), 'utf8').split('\n')
const AZ = ['step,101,102,103', '1,10.5,3.25,40', '2,12.5,3.5,41', '3,11.5,3,39', '4,9,2.5,38', '']
const CSV = ['time,vm,cpu', '0,a,0.5', '60,a,0.25', '120,a,0.75', '180,a,0.5', '']

/** Line n (1-based) with field i (0-based) replaced, fields split and joined by sep. */
function setField(lines: string[], n: number, i: number, value: string, sep: string): string[] {
  const out = [...lines]
  const f = out[n - 1]!.split(sep)
  f[i] = value
  out[n - 1] = f.join(sep)
  return out
}
/** Where field i of a line starts (1-based). */
const columnOf = (line: string, i: number, sep: string) =>
  line.split(sep).slice(0, i).join(sep).length + (i > 0 ? sep.length : 0) + 1

interface Case {
  name: string
  kind: 'bitbrains' | 'azure' | 'alibaba' | 'csv'
  lines: string[]
  line: number
  column: number
  message: RegExp
}

const T = ';\t'
const bbTimes = BB.slice(1, 9).map((l) => l.split(T)[0])
const CASES: Case[] = [
  {
    name: 'bitbrains, comma-separated',
    kind: 'bitbrains',
    lines: BB.map((l) => l.replaceAll(T, ',')),
    line: 1,
    column: 1,
    message:
      /expected 11 columns separated by ";<TAB>" \(the Bitbrains format\), found 1: the line seems separated by ","/,
  },
  {
    name: 'bitbrains, a row missing its last column',
    kind: 'bitbrains',
    lines: BB.map((l, i) => (i === 4 ? l.split(T).slice(0, 10).join(T) : l)),
    line: 5,
    column: BB[4]!.split(T).slice(0, 10).join(T).length + 1,
    message:
      /column 11 \(Network transmitted throughput \[KB\/s\]\): expected 11 columns separated by ";<TAB>", found 10/,
  },
  {
    name: 'bitbrains, text in a number',
    kind: 'bitbrains',
    lines: setField(BB, 7, 3, 'n/a', T),
    line: 7,
    column: columnOf(BB[6]!, 3, T),
    message: /column 4 \(CPU usage \[MHZ\]\): expected a number ≥ 0, found "n\/a"/,
  },
  {
    name: 'bitbrains, a timestamp going back',
    kind: 'bitbrains',
    lines: setField(BB, 8, 0, String(Number(bbTimes[5]) - 1), T),
    line: 8,
    column: 1,
    message: new RegExp(
      `column 1 \\(Timestamp \\[ms\\]\\): expected a time at or after the previous reading's \\(${bbTimes[5]}\\), found ${Number(bbTimes[5]) - 1}: timestamps must not go back`,
    ),
  },
  {
    name: 'azure, semicolon-separated',
    kind: 'azure',
    lines: AZ.map((l) => l.replaceAll(',', ';')),
    line: 1,
    column: 1,
    message: /expected a header "step,<vm id>,…" separated by ",", found one column: the line seems separated by ";"/,
  },
  {
    name: 'azure, a row missing a column',
    kind: 'azure',
    lines: AZ.map((l, i) => (i === 2 ? '2,12.5,3.5' : l)),
    line: 3,
    column: 11,
    message: /column 4: expected 4 columns separated by ",", found 3/,
  },
  {
    name: 'azure, text in a number',
    kind: 'azure',
    lines: setField(AZ, 4, 2, '3.0x', ','),
    line: 4,
    column: 8,
    message: /column 3 \(102\): expected a CPU % ≥ 0, found "3\.0x"/,
  },
  {
    name: 'azure, steps going back',
    kind: 'azure',
    lines: setField(AZ, 4, 0, '2', ','),
    line: 4,
    column: 1,
    message: /column 1 \(step\): expected a step after the previous row's \(2\), found 2: steps must rise/,
  },
  {
    name: 'alibaba, tab-separated',
    kind: 'alibaba',
    lines: ALI.map((l) => l.replaceAll(',', '\t')),
    line: 1,
    column: 1,
    message: /expected 9 columns \(machine_id, .*\) separated by ",", found 1: the line seems separated by "<TAB>"/,
  },
  {
    name: 'alibaba, a row missing a column',
    kind: 'alibaba',
    lines: ALI.map((l, i) => (i === 9 ? l.split(',').slice(0, 8).join(',') : l)),
    line: 10,
    column: ALI[9]!.split(',').slice(0, 8).join(',').length + 1,
    message: /column 9: expected 9 columns \(machine_id, .*\) separated by ",", found 8/,
  },
  {
    name: 'alibaba, text in a number',
    kind: 'alibaba',
    lines: setField(ALI, 12, 3, 'high', ','),
    line: 12,
    column: columnOf(ALI[11]!, 3, ','),
    message: /column 4 \(mem_util_percent\): expected a percentage 0\.\.100, found "high"/,
  },
  {
    name: 'alibaba, time going back',
    kind: 'alibaba',
    lines: setField(ALI, 15, 1, '0', ','),
    line: 15,
    column: columnOf(ALI[14]!, 1, ','),
    message:
      /column 2 \(time_stamp\): expected a time at or after the previous reading's \(\d+\), found 0: timestamps must not go back/,
  },
  {
    name: 'csv, semicolon-separated',
    kind: 'csv',
    lines: CSV.map((l) => l.replaceAll(',', ';')),
    line: 1,
    column: 1,
    message:
      /time: expected a column "time" in the header \(time;vm;cpu\), found none: the line seems separated by ";", not "," \(set separator\)/,
  },
  {
    name: 'csv, a row missing a column',
    kind: 'csv',
    lines: CSV.map((l, i) => (i === 3 ? '120,a' : l)),
    line: 4,
    column: 6,
    message: /column 3 \(cpu\): expected at least 3 columns separated by ",", found 2/,
  },
  {
    name: 'csv, text in a number',
    kind: 'csv',
    lines: setField(CSV, 3, 2, '25%', ','),
    line: 3,
    column: 6,
    message: /column 3 \(cpu\): expected a number ≥ 0, found "25%"/,
  },
  {
    name: 'csv, time going back',
    kind: 'csv',
    lines: setField(CSV, 5, 0, '100', ','),
    line: 5,
    column: 1,
    message:
      /column 1 \(time\): expected a time at or after the previous reading's \(120\), found 100: timestamps must not go back/,
  },
]

function write(c: Case): string {
  const dir = mkdtempSync(join(tmpdir(), 'conlab-bad-'))
  const name = c.kind === 'bitbrains' ? '1.csv' : 'trace.csv'
  writeFileSync(join(dir, name), c.lines.join('\n'))
  return join(dir, name)
}

function scenarioText(c: Case, file: string, extra = ''): string {
  const where =
    c.kind === 'bitbrains'
      ? `dir: ${JSON.stringify(file.replace(/[/\\][^/\\]*$/, ''))}`
      : `file: ${JSON.stringify(file)}${c.kind === 'csv' ? ', columns: { time: time, id: vm, cpu: cpu }' : ''}`
  return `name: bad
${SMALL_CLUSTER}
duration: 1h
vms:
  - type: v
    workload: { kind: ${c.kind}, ${where}${extra} }
`
}

describe('bad trace files', () => {
  for (const c of CASES) {
    it(`${c.name}: file, line and column`, async () => {
      const file = write(c)
      let error: unknown
      try {
        modelOf(scenarioText(c, file))
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(LabInputError)
      const d = (error as LabInputError).diagnostics[0]!
      expect({ file: d.file, line: d.line, column: d.column }).toEqual({ file, line: c.line, column: c.column })
      expect(d.message).toMatch(c.message)
      expect((error as LabInputError).message).toContain(`${file}:${c.line}:${c.column}: `)
      // the app opens scenarios through the same engine path, and gets the same error
      const lab = new LabSession(nodeScenarioCatalog(join(ROOT, 'scenarios')), 'node')
      await expect(
        lab.open({ fileName: join(ROOT, 'tests', 'bad.yaml'), text: scenarioText(c, file) }),
      ).rejects.toThrow(`${file}:${c.line}:${c.column}: `)
    })
  }

  it('skips bad rows when asked and counts them in the report', () => {
    for (const c of CASES.filter((x) => x.line > 1)) {
      const file = write(c)
      const model = modelOf(scenarioText(c, file, ', badRows: skip'))
      const source = model.traces.sources![0]!
      expect(source.skippedRows).toBe(1)
      expect(source.firstSkipped).toContain(`${file}:${c.line}:${c.column}: `)
    }
  })

  it('names the option to set in the error', () => {
    const c = CASES[2]!
    expect(() => modelOf(scenarioText(c, write(c)))).toThrow(
      /\(set vms\[0\]\.workload\.badRows: skip to skip such rows and count them\)/,
    )
  })

  it('refuses a window on a clock the trace does not have, and VMs it does not hold', () => {
    const az = write({ ...CASES[5]!, lines: AZ })
    expect(() => modelOf(scenarioText(CASES[5]!, az, ', from: "2017-01-01T00:00:00Z"'))).toThrow(
      /vms\[0\]\.workload\.from: expected a duration after the trace's start/,
    )
    expect(() => modelOf(scenarioText(CASES[5]!, az, ', vms: [101, 999]'))).toThrow(
      /vms\[0\]\.workload\.vms: expected VM ids that ".*" holds \(101, 102, 103\), found "999"/,
    )
    expect(() => modelOf(scenarioText(CASES[5]!, az).replace('- type: v', '- type: v\n    count: 4'))).toThrow(
      /vms\[0\]\.count: expected at most 3 VMs/,
    )
  })
})
