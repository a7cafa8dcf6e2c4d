// Undoing a policy pass and replaying it. A pass that waits for approval is made on the plan as full
// automation would make it, then undone; the state taken before it — the placement, the policy's random
// stream, the power orders queued for the shards, the switch-off and HA-reserve accounts — is kept with its
// recommendations (a PassBatch), so that approving all of them at the next step's start puts the lab back
// where the pass began and replays it: the same decisions in the same order, bit for bit.
import type { LabPlan, PlacementSnapshot } from './plan'
import type { RandomStream } from '../random'
import type { ShardOrders } from './shard-orders'
import type { LabAccounts } from './lab-accounts'
import type { HaCoordinator } from './ha-coordinator'
import type { HaReserveReport } from './ha'

export interface PassSnapshot {
  placement: PlacementSnapshot
  selection: number[]
  /** power orders queued for the shards (those after it were the pass's, or the step's end's) */
  powerOrders: number
  shutdowns: number
  reserve: { report: HaReserveReport; short: boolean }
}

/** A pass that waits: the state before it, when and at which step it was made, its recommendations. */
export interface PassBatch {
  state: PassSnapshot
  time: number
  stepIndex: number
  ids: number[]
  /** whether the policy's own pass ran (else only rule repairs) */
  policyRan: boolean
}

export class PassState {
  constructor(
    private readonly plan: LabPlan,
    private readonly selection: RandomStream,
    private readonly orders: ShardOrders,
    private readonly accounts: LabAccounts,
    private readonly ha: HaCoordinator,
  ) {}

  take(): PassSnapshot {
    return {
      placement: this.plan.placement(),
      selection: this.selection.state(),
      powerOrders: this.orders.power.length,
      shutdowns: this.accounts.shutdowns,
      reserve: this.ha.reserveState(),
    }
  }

  /** Back to `s`; `stream`: the random stream too (a replay draws again what the pass drew). */
  restore(s: PassSnapshot, stream: boolean): void {
    this.plan.restorePlacement(s.placement)
    if (stream) this.selection.restore(s.selection)
    this.orders.power.length = s.powerOrders
    this.accounts.shutdowns = s.shutdowns
    this.ha.restoreReserveState(s.reserve)
  }
}
