// Server power from a SPECpower-style table: watts at 0 %, 10 %, …, 100 % CPU, linearly interpolated.
// The arithmetic mirrors CloudSim 3.0.3's PowerModelSpecPower operation for operation, so that the
// CloudSim-compatible mode reproduces its energy figures bit for bit.

/**
 * Watts at utilization u ∈ [0, 1]; throws outside that range as CloudSim does.
 *
 * CloudSim first tests `u % 0.1 == 0` and then returns the table value; that test holds only where
 * floor(u·10) = ceil(u·10), and there the interpolation below yields p1 + 0 = p1 as well, so the
 * (slow) floating-point remainder is skipped without changing a bit.
 */
/** Entries of a power table: watts at 0 %, 10 %, …, 100 %. */
export const POWER_POINTS = 11

export function specPower(table: ArrayLike<number>, u: number): number {
  if (u < 0 || u > 1) throw new RangeError(`utilization must be within [0, 1], found ${u}`)
  return interpolateWatts(table, u)
}

/** specPower's interpolation for a u already known to be within [0, 1] (the policies' hot loops). */
export function interpolateWatts(table: ArrayLike<number>, u: number): number {
  const x = u * 10
  const lo = Math.floor(x)
  const p1 = table[lo] as number
  // ceil(x) is lo + 1 unless x is whole; lo / 10 is read from TENTHS, the same doubles
  if (lo === x) return p1
  const delta = ((table[lo + 1] as number) - p1) / 10
  return p1 + delta * (u - (TENTHS[lo] as number)) * 100
}

/** The table's per-segment slopes as interpolateWatts computes them: (p[k + 1] − p[k]) / 10. */
export function segmentDeltas(table: ArrayLike<number>): Float64Array {
  const deltas = new Float64Array(table.length - 1)
  for (let k = 0; k + 1 < table.length; k++) deltas[k] = ((table[k + 1] as number) - (table[k] as number)) / 10
  return deltas
}

/** interpolateWatts with the slopes precomputed by segmentDeltas: the same double, without a division. */
export function interpolateWithDeltas(table: ArrayLike<number>, deltas: Float64Array, u: number): number {
  const x = u * 10
  const lo = Math.floor(x)
  const p1 = table[lo] as number
  if (lo === x) return p1
  return p1 + (deltas[lo] as number) * (u - (TENTHS[lo] as number)) * 100
}

/** k / 10 for k = 0…10, the doubles CloudSim's `lo / 10` gives. */
export const TENTHS = Float64Array.from({ length: 11 }, (_, k) => k / 10)

/** Energy in joules over `seconds` when utilization moves linearly from `from` to `to` (CloudSim: 0 if `from` is 0). */
export function frameEnergy(table: ArrayLike<number>, from: number, to: number, seconds: number): number {
  if (from === 0) return 0
  const fromPower = specPower(table, from)
  const toPower = specPower(table, to)
  return (fromPower + (toPower - fromPower) / 2) * seconds
}

/** CloudSim clamps utilization values in (1, 1.01) to 1 before using them. */
export function clampUtilization(u: number): number {
  return u > 1 && u < 1.01 ? 1 : u
}
