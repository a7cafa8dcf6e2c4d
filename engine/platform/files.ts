// How the isomorphic engine reads scenario files and traces: each platform supplies one of these
// (Node: the file system; browser: bundled scenarios and packed traces).

export interface FileSource {
  /**
   * A text file's content. Refuses (LabInputError naming the path) a folder, binary data and a file longer
   * than `maxBytes` (default: DEFAULT_MAX_TEXT_BYTES) without reading past that limit; `what` names the file
   * in those messages ("scenario file", default "file").
   */
  readText(path: string, options?: { maxBytes?: number; what?: string }): string
  /**
   * A file's bytes, undecoded, with readText's refusals but the text checks: for readers of ASCII formats
   * that parse bytes (PlanetLab traces). Optional: a reader falls back to readText without it.
   */
  readBytes?(path: string, options?: { maxBytes?: number; what?: string }): Uint8Array
  /** File names (not paths) in a folder, in the platform's listing order. */
  listDir(path: string): string[]
  /** Resolves `relative` against the folder that holds `fromFile`. */
  resolve(fromFile: string, relative: string): string
  /** Joins a folder and a file name. */
  join(dir: string, name: string): string
  /**
   * The file's text in pieces, read as they are needed, so a reader that stops early or keeps only what it
   * needs holds one piece at a time (trace importers stream multi-GB files this way). A platform without
   * it serves `readText` whole.
   */
  readChunks?(path: string): Iterable<string>
}

/**
 * The longest text file the lab reads unless told otherwise: a PlanetLab trace is about 1 KiB, the largest
 * built-in scenario a few KiB; anything near this is not an input of the lab.
 */
export const DEFAULT_MAX_TEXT_BYTES = 64 * 1024 ** 2

/** Byte-wise name order (Java String.compareTo on ASCII names, `LC_ALL=C sort`). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
