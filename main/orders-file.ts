// Saving a run's order log from the desktop app: the lab's export (LabApi.exportOrders) — its `events:` list,
// which `conlab run <scenario> --orders FILE` replays, or the whole scenario with the orders in it — written
// atomically, with a YAML extension when the save dialog returned a bare name.
import { extname } from 'node:path'
import { writeFileAtomic } from '../engine/platform/node/atomic-write'
import type { OrdersExport } from '../engine/api/lab-api'
import type { OrdersFileKind } from './bridge-contract'

export function saveOrdersFile(path: string, orders: OrdersExport, what: OrdersFileKind): string {
  const ext = extname(path).toLowerCase()
  const target = ext === '.yaml' || ext === '.yml' ? path : `${path}.yaml`
  writeFileAtomic(target, what === 'events' ? orders.events : orders.scenario)
  return target
}
