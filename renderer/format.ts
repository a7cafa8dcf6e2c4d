// Formatting engine numbers for display (units and digits only; no figure is computed here).

/** Simulated time as "d hh:mm" (day count from the start of the run), or "d hh:mm:ss.s" with seconds. */
export function formatClock(seconds: number, withSeconds = false): string {
  const total = Math.floor(Math.max(0, seconds) / 60)
  const days = Math.floor(total / 1440)
  const hh = Math.floor((total % 1440) / 60)
  const mm = total % 60
  const clock = `${days}d ${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`
  if (!withSeconds) return clock
  const ss = Math.max(0, seconds) - total * 60
  return `${clock}:${ss.toFixed(1).padStart(4, '0')}`
}

/** Hours on a chart axis: "6 h", "1d 2 h" for longer runs. */
export function formatHours(seconds: number): string {
  const h = seconds / 3600
  return Number.isInteger(Math.round(h * 10) / 10) ? `${Math.round(h)} h` : `${h.toFixed(1)} h`
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`
}

const numberFormats = new Map<number, Intl.NumberFormat>()

/** Grouped digits ("8,088"); the Intl formatter is cached (toLocaleString builds one per call). */
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

export function formatWatts(w: number): string {
  return w >= 10_000 ? `${(w / 1000).toFixed(2)} kW` : `${w.toFixed(0)} W`
}

export function formatMips(mips: number): string {
  return `${mips.toFixed(0)} MIPS`
}

export function formatMB(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(2)} GB` : `${mb.toFixed(0)} MB`
}

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

/** Bytes in binary units: "37.1 MiB", "2.46 GiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${bytes.toFixed(0)} B`
}
