// What a migration is expected to cost, for the policies' decisions. CloudSim's model (Beloglazov & Buyya,
// CCPE 2012, §6.2): a VM's RAM crosses half of the host's NIC, so a migration takes RAM ÷ (bandwidth ÷ 2)
// seconds — with RAM in MB and bandwidth in kbit/s, RAM ÷ (kbit/s ÷ 16000). Both modes' MMT, LR horizon
// and the cloudsim migration model read it from here. (The lab's live migrations are QEMU's, on dirty
// pages: engine/migration/; their analytic estimate is engine/migration/analytic.ts.)

/** Seconds to migrate `ramMB` of RAM over half of a `bwKbps` link (kbit/s ÷ 16000 = MB/s). */
export function cloudSimMigrationSeconds(ramMB: number, bwKbps: number): number {
  return ramMB / (bwKbps / (2 * 8000))
}
