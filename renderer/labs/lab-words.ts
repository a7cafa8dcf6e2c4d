// Guided labs in words for the Labs view and the debrief: values with their units (as `conlab lab grade`
// writes them), comparators, a lab pack made of the files a folder input gives, the page's event an
// objective's event stands for, and the little Markdown a briefing uses.
import type { Comparator, IndexedEvent, LabEvent, LabPack } from '../../engine/api/lab-api'
import { COMPARATOR_WORDS, formatInUnit } from '../../engine/api/lab-comparators'

/** "< 0.160 kWh": the target with its comparator, in the objective's unit (LabObjectiveInfo.unit). */
export function formatTarget(comparator: Comparator, target: number, unit: string): string {
  return `${COMPARATOR_WORDS[comparator]} ${formatInUnit(target, unit)}`
}

export const LEVELS = ['beginner', 'intermediate', 'advanced'] as const

/** A file as a file or folder input gives it: its name, its path in the folder chosen (if any), its text. */
export interface PickedFile {
  name: string
  /** `webkitRelativePath`: "<folder>/<path in it>" for a folder input, "" for a file input */
  relativePath: string
  text: string
}

/** Lab pack names the engine takes (LabApi.loadLabPack): letters, digits, " ._-", at most 64. */
function packName(raw: string): string {
  const cleaned = raw.replace(/[^\w .-]/g, '-').replace(/^[^A-Za-z0-9]+/, '')
  return (cleaned || 'lab-pack').slice(0, 64)
}

/**
 * The files of a folder (or several lab files) chosen in the page, as a lab pack: paths relative to the folder
 * chosen (lab files at its top, the scenario files they name where they name them); named after the folder,
 * else after the first file. Files other than YAML and JSON (traces' READMEs, pictures) are left out.
 */
export function packFromFiles(files: readonly PickedFile[]): LabPack {
  const kept = files.filter((f) => /\.(ya?ml|json)$/i.test(f.name))
  const folder = kept.find((f) => f.relativePath.includes('/'))?.relativePath.split('/')[0]
  const name = packName(folder ?? kept[0]?.name.replace(/\.(ya?ml|json)$/i, '') ?? 'lab-pack')
  return {
    name,
    files: kept.map((f) => ({
      path: f.relativePath.includes('/') ? f.relativePath.slice(f.relativePath.indexOf('/') + 1) : f.name,
      text: f.text,
    })),
  }
}

function sameEvent(a: LabEvent, b: LabEvent): boolean {
  return a.time === b.time && a.kind === b.kind && a.message === b.message
}

/**
 * Where in the page's event log an objective's event is: its index when the page's log has the same event
 * there (a run played from t = 0, as the grading replay is), else the same event at the same time (a rewind
 * adds its own notice to the page's log); −1 when the page's log does not have it.
 */
export function eventInLog(events: readonly LabEvent[], e: IndexedEvent): number {
  const at = events[e.index]
  if (at && sameEvent(at, e)) return e.index
  return events.findIndex((x) => sameEvent(x, e))
}

/** Inline Markdown a briefing uses: **bold**, `code`, *emphasis*; everything else is text. */
export type Inline = { kind: 'text' | 'strong' | 'code' | 'em'; text: string }

export function parseInline(text: string): Inline[] {
  const out: Inline[] = []
  const re = /\*\*([^*]+)\*\*|`([^`]+)`|\*([^*\s][^*]*)\*/g
  let last = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push({ kind: 'text', text: text.slice(last, m.index) })
    if (m[1] !== undefined) out.push({ kind: 'strong', text: m[1] })
    else if (m[2] !== undefined) out.push({ kind: 'code', text: m[2] })
    else out.push({ kind: 'em', text: m[3]! })
    last = m.index + m[0].length
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) })
  return out
}

/** Block Markdown: paragraphs (blank-line separated, lines joined) and "- " lists. */
export type Block = { kind: 'p'; text: string } | { kind: 'ul'; items: string[] }

export function parseBlocks(markdown: string): Block[] {
  const blocks: Block[] = []
  for (const chunk of markdown.replace(/\r\n/g, '\n').split(/\n\s*\n/)) {
    const lines = chunk.split('\n').filter((l) => l.trim() !== '')
    if (!lines.length) continue
    if (lines.every((l) => /^\s*[-*] /.test(l) || /^\s{2,}\S/.test(l))) {
      const items: string[] = []
      for (const l of lines)
        if (/^\s*[-*] /.test(l)) items.push(l.replace(/^\s*[-*] /, '').trim())
        else items[items.length - 1] += ` ${l.trim()}`
      blocks.push({ kind: 'ul', items })
    } else blocks.push({ kind: 'p', text: lines.map((l) => l.trim()).join(' ') })
  }
  return blocks
}
