// app://conlab/… → files of the built renderer, and nothing outside it.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { contentTypeFor, resolveAppAsset } from '../../main/app-protocol'

const root = join('/opt', 'lab', 'out', 'renderer')

describe('resolveAppAsset', () => {
  it('maps app URLs to files under the renderer folder', () => {
    expect(resolveAppAsset(root, 'app://conlab/index.html')).toBe(join(root, 'index.html'))
    expect(resolveAppAsset(root, 'app://conlab/')).toBe(join(root, 'index.html'))
    expect(resolveAppAsset(root, 'app://conlab/assets/index-x.js?v=1#h')).toBe(join(root, 'assets', 'index-x.js'))
    expect(resolveAppAsset(root, 'app://conlab/a%20b.css')).toBe(join(root, 'a b.css'))
  })
  it('refuses other hosts, schemes and anything that leaves the folder', () => {
    expect(resolveAppAsset(root, 'app://other/index.html')).toBeUndefined()
    expect(resolveAppAsset(root, 'file:///etc/passwd')).toBeUndefined()
    // the URL parser folds dot segments (also %2e%2e) before the path is looked at: they stay inside
    expect(resolveAppAsset(root, 'app://conlab/../../etc/passwd')).toBe(join(root, 'etc', 'passwd'))
    expect(resolveAppAsset(root, 'app://conlab/%2e%2e/%2e%2e/etc/passwd')).toBe(join(root, 'etc', 'passwd'))
    expect(resolveAppAsset(root, 'app://conlab/..%2F..%2Fmain%2Findex.js')).toBeUndefined()
    expect(resolveAppAsset(root, 'app://conlab/x%00.js')).toBeUndefined()
    expect(resolveAppAsset(root, 'app://conlab/%E0%A4%A')).toBeUndefined()
    expect(resolveAppAsset(root, 'nonsense')).toBeUndefined()
  })
  it('names content types', () => {
    expect(contentTypeFor('/a/index.html')).toMatch(/^text\/html/)
    expect(contentTypeFor('/a/x.JS')).toMatch(/^text\/javascript/)
    expect(contentTypeFor('/a/x.css')).toMatch(/^text\/css/)
    expect(contentTypeFor('/a/x.bin')).toBe('application/octet-stream')
  })
})
