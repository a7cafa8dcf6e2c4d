// How the isomorphic engine reads scenario files and traces: each platform supplies one of these
// (Node: the file system; browser: bundled scenarios and packed traces).

export interface FileSource {
  readText(path: string): string
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

/** Byte-wise name order (Java String.compareTo on ASCII names, `LC_ALL=C sort`). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
