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
export function specPower(table: ArrayLike<number>, u: number): number {
  if (u < 0 || u > 1) throw new RangeError(`utilization must be within [0, 1], found ${u}`)
  return interpolateWatts(table, u)
}

/** specPower's interpolation for a u already known to be within [0, 1] (the policies' hot loops). */
export function interpolateWatts(table: ArrayLike<number>, u: number): number {
  const lo = Math.floor(u * 10)
  const hi = Math.ceil(u * 10)
  const p1 = table[lo] as number
  if (lo === hi) return p1
  const p2 = table[hi] as number
  const delta = (p2 - p1) / 10
  return p1 + delta * (u - lo / 10) * 100
}

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
