// Orders from the page to a running lab (LabApi.order): checked here, at the contract's edge, so a malformed
// order is refused with a message naming the field, and never reaches the coordinator. The shape is a
// scenario event's action without its `at` (engine/scenario/schema.ts), with the same defaults.
import type { LabOrder } from '../lab/lab-state'
import { ruleSchema } from '../scenario/schema'

export const ACTION_KINDS = [
  'migrate',
  'cancelMigration',
  'balloon',
  'snapshot',
  'revert',
  'deleteSnapshot',
  'failHost',
  'repairHost',
  'maintenance',
  'standby',
  'pin',
  'addRule',
  'removeRule',
  'approve',
  'approveAll',
  'dismiss',
  'automation',
] as const

export class OrderError extends Error {
  constructor(message: string) {
    super(`order: ${message}`)
    this.name = 'OrderError'
  }
}

type Fields = Record<string, unknown>

function record(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new OrderError(`${path}: expected an object`)
  return value as Fields
}

function only(fields: Fields, path: string, allowed: readonly string[]): void {
  const extra = Object.keys(fields).filter((k) => !allowed.includes(k))
  if (extra.length) throw new OrderError(`${path}: unexpected ${extra.join(', ')} (expected ${allowed.join(', ')})`)
}

function index(fields: Fields, key: string, path: string, count: number, what: string): number {
  const v = fields[key]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= count)
    throw new OrderError(`${path}.${key}: expected a ${what} number 0..${count - 1}, found ${JSON.stringify(v)}`)
  return v
}

function text(fields: Fields, key: string, path: string, fallback?: string): string {
  const v = fields[key] ?? fallback
  if (typeof v !== 'string' || (fallback === undefined && v.trim() === ''))
    throw new OrderError(`${path}.${key}: expected ${fallback === undefined ? 'a non-empty' : 'a'} string`)
  return v
}

function flag(fields: Fields, key: string, path: string, fallback: boolean): boolean {
  const v = fields[key] ?? fallback
  if (typeof v !== 'boolean') throw new OrderError(`${path}.${key}: expected true or false`)
  return v
}

function required(fields: Fields, key: string, path: string): boolean {
  const v = fields[key]
  if (typeof v !== 'boolean') throw new OrderError(`${path}.${key}: expected true or false`)
  return v
}

/** The order as the coordinator takes it, or an OrderError naming what is wrong. */
export function checkAction(action: unknown, hosts: number, vms: number): LabOrder {
  const a = record(action, 'action')
  const kinds = Object.keys(a)
  const kind = kinds[0] as (typeof ACTION_KINDS)[number] | undefined
  if (kinds.length !== 1 || !kind || !(ACTION_KINDS as readonly string[]).includes(kind))
    throw new OrderError(`expected one of ${ACTION_KINDS.join(', ')}, found ${kinds.join(', ') || 'nothing'}`)
  if (kind === 'approveAll') {
    if (a[kind] !== true) throw new OrderError(`approveAll: expected true, found ${JSON.stringify(a[kind])}`)
    return { approveAll: true }
  }
  const f = record(a[kind], kind)
  const vm = () => index(f, 'vm', kind, vms, 'VM')
  const host = (key: string) => index(f, key, kind, hosts, 'host')
  switch (kind) {
    case 'migrate': {
      only(f, kind, ['vm', 'to', 'force'])
      const force = f.force === undefined ? undefined : flag(f, 'force', kind, false)
      return { migrate: { vm: vm(), to: host('to'), ...(force !== undefined ? { force } : {}) } }
    }
    case 'cancelMigration':
      only(f, kind, ['vm'])
      return { cancelMigration: { vm: vm() } }
    case 'balloon': {
      only(f, kind, ['vm', 'target'])
      const target = f.target
      if (target !== 'auto' && !(typeof target === 'number' && Number.isFinite(target) && target >= 0))
        throw new OrderError('balloon.target: expected bytes (a number ≥ 0) or "auto"')
      return { balloon: { vm: vm(), target } }
    }
    case 'snapshot':
      only(f, kind, ['vm', 'name', 'description', 'memory'])
      return {
        snapshot: {
          vm: vm(),
          name: text(f, 'name', kind),
          description: text(f, 'description', kind, ''),
          memory: flag(f, 'memory', kind, true),
        },
      }
    case 'revert':
      only(f, kind, ['vm', 'snapshot'])
      return { revert: { vm: vm(), snapshot: text(f, 'snapshot', kind) } }
    case 'deleteSnapshot':
      only(f, kind, ['vm', 'snapshot', 'children'])
      return {
        deleteSnapshot: { vm: vm(), snapshot: text(f, 'snapshot', kind), children: flag(f, 'children', kind, false) },
      }
    case 'failHost':
      only(f, kind, ['host'])
      return { failHost: { host: host('host') } }
    case 'repairHost':
      only(f, kind, ['host'])
      return { repairHost: { host: host('host') } }
    case 'maintenance':
      only(f, kind, ['host', 'enter'])
      return { maintenance: { host: host('host'), enter: required(f, 'enter', kind) } }
    case 'standby':
      only(f, kind, ['host', 'on'])
      return { standby: { host: host('host'), on: required(f, 'on', kind) } }
    case 'pin':
      only(f, kind, ['vm', 'pinned'])
      return { pin: { vm: vm(), pinned: required(f, 'pinned', kind) } }
    case 'addRule': {
      const parsed = ruleSchema.safeParse(f)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!
        throw new OrderError(`addRule${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`)
      }
      return { addRule: parsed.data }
    }
    case 'removeRule':
      only(f, kind, ['name'])
      return { removeRule: { name: text(f, 'name', kind) } }
    case 'approve':
    case 'dismiss': {
      only(f, kind, ['id'])
      const id = f['id']
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 1)
        throw new OrderError(`${kind}.id: expected a recommendation id (1, 2, …), found ${JSON.stringify(id)}`)
      return kind === 'approve' ? { approve: { id } } : { dismiss: { id } }
    }
    case 'automation': {
      only(f, kind, ['level'])
      const level = f['level']
      if (level !== 'manual' && level !== 'partial' && level !== 'full')
        throw new OrderError(`automation.level: expected manual, partial or full, found ${JSON.stringify(level)}`)
      return { automation: { level } }
    }
  }
}
