// The recommendations of a lab run: every decision a policy, an evacuation or HA makes is a recommendation
// — a move, a host powered on or put in standby, a restart — with a priority, the reason in numbers and the
// expected effect. In full automation it is applied as it is made (and counted); otherwise it waits for
// the operator's approval, and expires when the next pass of what proposed it no longer proposes it (the
// state it was computed on is gone). A recommendation keeps its id while successive passes propose it.
import type { MigrationPrediction } from './migration-estimate'

export type RecommendationKind = 'migrate' | 'power-on' | 'standby' | 'restart'

/**
 * What proposed it: the policy's pass, the repairs of violated must rules (every step), an evacuation (a host
 * entering maintenance or standby), HA (a restart, in manual automation).
 */
export type RecommendationSource = 'policy' | 'rules' | 'evacuation' | 'ha'

export type RecommendationState = 'waiting' | 'applied' | 'dismissed' | 'expired'

/** A host's load before and after: planned CPU demand ÷ capacity. */
export interface LoadChange {
  host: number
  before: number
  after: number
}

/** What applying a recommendation is expected to do, as computed when it was made. */
export interface ExpectedEffect {
  source?: LoadChange
  target?: LoadChange
  /** change of the cluster's power draw at the planned loads, W (negative: saved) */
  powerW?: number
  /** the policy's balance metric before and after (docs/policies.md names each) */
  balance?: { metric: string; before: number; after: number }
  /** the migration, as the analytic model predicts it */
  migration?: MigrationPrediction
  /** a standby: the moves that empty the host first */
  moves?: { vm: number; to: number }[]
}

export interface Recommendation {
  id: number
  kind: RecommendationKind
  vm?: number
  from?: number
  to?: number
  host?: number
  /** 1 (mandatory) … 5 (a slight improvement) */
  priority: number
  /** a sentence with the numbers behind it */
  reason: string
  expected: ExpectedEffect
  source: RecommendationSource
  /** simulated seconds it was first proposed, and when it stopped waiting */
  proposedAt: number
  state: RecommendationState
  resolvedAt?: number
}

/** A recommendation as a pass makes it (the book gives it its id and state). */
export type Proposal = Omit<Recommendation, 'id' | 'source' | 'proposedAt' | 'state' | 'resolvedAt'>

export interface RecommendationCounts {
  proposed: number
  applied: number
  dismissed: number
  expired: number
}

export interface RecommendationBookState {
  nextId: number
  counts: RecommendationCounts
  waiting: Recommendation[]
  recent: Recommendation[]
  dismissed: { source: RecommendationSource; key: string }[]
}

/** What makes two proposals the same recommendation: what it does, not why or with what numbers. */
export function proposalKey(p: Pick<Proposal, 'kind' | 'vm' | 'from' | 'to' | 'host'>): string {
  return `${p.kind}:${p.vm ?? ''}:${p.from ?? ''}:${p.to ?? ''}:${p.host ?? ''}`
}

/** Resolved recommendations kept for the views (the app's panel shows what became of the latest). */
const RECENT = 200

export class RecommendationBook {
  nextId = 1
  readonly counts: RecommendationCounts = { proposed: 0, applied: 0, dismissed: 0, expired: 0 }
  /** waiting for the operator, in the order proposed */
  waiting: Recommendation[] = []
  /** the latest resolved ones, newest last */
  recent: Recommendation[] = []
  /** dismissed while their pass keeps proposing them: not proposed again until it stops */
  private dismissed = new Map<RecommendationSource, Set<string>>()

  /** The waiting recommendation with this id, or a resolved one still remembered. */
  find(id: number): Recommendation | undefined {
    return this.waiting.find((r) => r.id === id) ?? this.recent.find((r) => r.id === id)
  }

  waitingFrom(source: RecommendationSource): Recommendation[] {
    return this.waiting.filter((r) => r.source === source)
  }

  /**
   * A pass applied `count` decisions at once (full automation). Waiting ones it matches (`keys`, asked only
   * when some wait) count as applied rather than proposed again.
   */
  applied(source: RecommendationSource, count: number, time: number, keys?: () => string[]): void {
    if (count === 0) return
    const waiting = this.waitingFrom(source)
    if (waiting.length === 0 || !keys) {
      this.counts.proposed += count
      this.counts.applied += count
      return
    }
    let matched = 0
    for (const key of keys()) {
      const r = waiting.find((w) => w.state === 'waiting' && proposalKey(w) === key)
      if (r) {
        this.resolve(r, 'applied', time)
        matched++
      }
    }
    // resolve() counted the matched ones as applied
    this.counts.proposed += count - matched
    this.counts.applied += count - matched
  }

  /**
   * A pass's recommendations that wait: one already waiting keeps its id (with the new numbers), a new one
   * gets the next id; waiting ones of the same source the pass no longer proposes expire. Returns the
   * waiting recommendations of this pass, in its order.
   */
  propose(source: RecommendationSource, proposals: readonly Proposal[], time: number): Recommendation[] {
    const before = new Map(this.waitingFrom(source).map((r) => [proposalKey(r), r]))
    const dismissed = this.dismissed.get(source)
    const stillDismissed = new Set<string>()
    const out: Recommendation[] = []
    for (const p of proposals) {
      const key = proposalKey(p)
      if (dismissed?.has(key)) {
        stillDismissed.add(key)
        continue
      }
      const kept = before.get(key)
      if (kept) {
        before.delete(key)
        Object.assign(kept, { priority: p.priority, reason: p.reason, expected: p.expected })
        out.push(kept)
        continue
      }
      const r: Recommendation = { ...p, id: this.nextId++, source, proposedAt: time, state: 'waiting' }
      this.counts.proposed++
      this.waiting.push(r)
      out.push(r)
    }
    for (const r of before.values()) this.resolve(r, 'expired', time)
    if (stillDismissed.size > 0) this.dismissed.set(source, stillDismissed)
    else this.dismissed.delete(source)
    return out
  }

  /** A waiting recommendation applied, dismissed or expired. */
  resolve(r: Recommendation, state: Exclude<RecommendationState, 'waiting'>, time: number): void {
    const i = this.waiting.indexOf(r)
    if (i < 0) return
    this.waiting.splice(i, 1)
    r.state = state
    r.resolvedAt = time
    this.counts[state]++
    if (state === 'dismissed') {
      const set = this.dismissed.get(r.source) ?? new Set<string>()
      set.add(proposalKey(r))
      this.dismissed.set(r.source, set)
    }
    this.recent.push(r)
    if (this.recent.length > RECENT) this.recent.splice(0, this.recent.length - RECENT)
  }

  state(): RecommendationBookState {
    const copy = (r: Recommendation) => structuredClone(r)
    return {
      nextId: this.nextId,
      counts: { ...this.counts },
      waiting: this.waiting.map(copy),
      recent: this.recent.map(copy),
      dismissed: [...this.dismissed].flatMap(([source, keys]) => [...keys].map((key) => ({ source, key }))),
    }
  }

  restore(s: RecommendationBookState): void {
    this.nextId = s.nextId
    Object.assign(this.counts, s.counts)
    this.waiting = s.waiting.map((r) => structuredClone(r))
    this.recent = s.recent.map((r) => structuredClone(r))
    this.dismissed = new Map()
    for (const { source, key } of s.dismissed) {
      const set = this.dismissed.get(source) ?? new Set<string>()
      set.add(key)
      this.dismissed.set(source, set)
    }
  }
}

/** The run report's account of the recommendations. */
export interface RecommendationReport extends RecommendationCounts {
  waiting: number
}
