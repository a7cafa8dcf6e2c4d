// Figures as text, for every front end — the app, the CLI, the engine's own messages and reports: simulated
// clocks, percentages, byte sizes (binary units: a "MB" field of the engine is a MiB), power, energy and
// durations. A leaf (it imports nothing), so the renderer, the CLI and the engine can all use it. Units
// and digits only: no figure is computed here.

/** Simulated time as "1d 03:25" (days since the start of the run), or "0d 00:01:19.8" with seconds. */
export function formatClock(seconds: number, withSeconds = false): string {
  const s = Math.max(0, seconds)
  const total = Math.floor(s / 60)
  const days = Math.floor(total / 1440)
  const hh = Math.floor((total % 1440) / 60)
  const mm = total % 60
  const clock = `${days}d ${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`
  if (!withSeconds) return clock
  // tenths, rounded down like the minutes, so 59.96 s never shows as "60.0"
  const ss = Math.floor((s - total * 60) * 10 + 1e-9) / 10
  return `${clock}:${ss.toFixed(1).padStart(4, '0')}`
}

/** A fraction as a percentage: 0.0615 → "6.15 %" (digits after the point). */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`
}

const KiB = 1024
const MiB = 1024 ** 2
const GiB = 1024 ** 3
const TiB = 1024 ** 4

/** Bytes in binary units: "512 B", "4.0 KiB", "37.1 MiB", "2.46 GiB", "1.50 TiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= TiB) return `${(bytes / TiB).toFixed(2)} TiB`
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(2)} GiB`
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`
  if (bytes >= KiB) return `${(bytes / KiB).toFixed(1)} KiB`
  return `${bytes.toFixed(0)} B`
}

/** Memory given in MiB (the engine's `…MB` fields): "870 MiB", "16.00 GiB". */
export function formatMiB(mib: number): string {
  return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(0)} MiB`
}

/** Memory given in GiB (the reports' `…GiB` fields): "3.80 GiB". */
export function formatGiB(gib: number, digits = 2): string {
  return `${gib.toFixed(digits)} GiB`
}

const numberFormats = new Map<number, Intl.NumberFormat>()

/** Grouped digits: "8,088" (the Intl formatter is cached: toLocaleString builds one per call). */
export function formatNumber(x: number, digits = 0): string {
  let f = numberFormats.get(digits)
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    numberFormats.set(digits, f)
  }
  return f.format(x)
}

export function formatKWh(kwh: number): string {
  return `${kwh.toFixed(2)} kWh`
}

/** Power: "8268 W", "70.10 kW". */
export function formatWatts(w: number): string {
  return w >= 10_000 ? `${(w / 1000).toFixed(2)} kW` : `${w.toFixed(0)} W`
}

export function formatMips(mips: number): string {
  return `${mips.toFixed(0)} MIPS`
}

/** Accumulated time: "42 s", "12.5 min", "1.50 h". */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)} s`
  if (s < 3600) return `${(s / 60).toFixed(1)} min`
  return `${(s / 3600).toFixed(2)} h`
}

/** A short duration: "312 ms", "19.8 s", "2.5 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1000).toFixed(0)} ms`
  if (seconds < 120) return `${seconds.toFixed(1)} s`
  return `${(seconds / 60).toFixed(1)} min`
}
