// Errors in how the command was called (missing arguments, an unknown command): exit code 2, no stack trace.
export class UsageError extends Error {
  constructor(message: string) {
    super(`conlab: ${message}`)
    this.name = 'UsageError'
  }
}
