// TypeScript finds no declaration beside comlink's .mjs node adapter (it looks for .d.mts).
declare module 'comlink/dist/esm/node-adapter.mjs' {
  export { default } from 'comlink/dist/esm/node-adapter'
  export type { NodeEndpoint } from 'comlink/dist/esm/node-adapter'
}
