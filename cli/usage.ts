// Errors in how the command was called (flags, missing arguments): exit code 2, no stack trace.
export class UsageError extends Error {
  constructor(message: string) {
    super(`conlab: ${message}`)
    this.name = 'UsageError'
  }
}

export function requireInt(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`--${flag}: expected an integer ≥ ${min}, found "${value}"`)
  return Number(value)
}
