// Where a command writes: the process's stdout and stderr, or (in tests) buffers.

export interface Io {
  out(text: string): void
  err(text: string): void
  /** stderr is a terminal: a progress line may redraw itself */
  errIsTTY: boolean
  /** columns of the terminal stderr is on */
  errColumns?: number
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTTY: process.stderr.isTTY === true,
    errColumns: process.stderr.columns,
  }
}

/** An Io that keeps what was written (tests run commands in-process with it). */
export function bufferIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    errIsTTY: false,
    out: (text: string) => {
      io.stdout += text
    },
    err: (text: string) => {
      io.stderr += text
    },
  }
  return io
}
