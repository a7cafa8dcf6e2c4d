// Provided by the scenario-pack Vite plugin in renderer/vite.web.config.ts.
declare module 'virtual:conlab-scenario-pack' {
  /** URL of the packed built-in scenarios and traces (see scenario-pack.ts) */
  export const packUrl: string
}
