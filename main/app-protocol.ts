// app://conlab/<path> serves the built renderer (out/renderer) instead of file:// (checklist item 18):
// pages get a real origin, so 'self' in the CSP means the app's own files and nothing else on disk.
import { extname, join, normalize, relative, isAbsolute } from 'node:path'
import { APP_HOST, APP_SCHEME } from './trusted-origin'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
}

/** The file under `rootDir` an app:// URL names, or undefined (other host, traversal, odd URL). */
export function resolveAppAsset(rootDir: string, requestUrl: string): string | undefined {
  let u: URL
  try {
    u = new URL(requestUrl)
  } catch {
    return undefined
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined
  let path: string
  try {
    path = decodeURIComponent(u.pathname)
  } catch {
    return undefined
  }
  if (path.includes('\0')) return undefined
  if (path === '/' || path === '') path = '/index.html'
  const file = normalize(join(rootDir, path))
  const rel = relative(rootDir, file)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined
  return file
}

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}
