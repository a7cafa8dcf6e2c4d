// electron-vite build of the desktop app. Non-default layout (main/, renderer/ at the top level instead of
// src/main, src/preload, src/renderer), so every entry is explicit (STACK §1.3).
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        // the lab's host shards run in worker threads: their entry is bundled beside main's
        // (out/main/shard-worker.js, started by engine/platform/node/app-shards.ts)
        input: {
          index: resolve(import.meta.dirname, 'main/index.ts'),
          'shard-worker': resolve(import.meta.dirname, 'engine/platform/node/shard-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { preload: resolve(import.meta.dirname, 'main/preload.ts') },
        // sandbox: true => the preload must be CommonJS; .cjs because package.json has "type": "module"
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    plugins: [react()],
    // The desktop renderer talks to the lab in main over the preload's port; the in-page lab (a Web
    // Worker with the packed scenarios) is only built into the web version (renderer/vite.web.config.ts).
    define: { __IN_PAGE_LAB__: 'false' },
    build: {
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'renderer/index.html') },
      },
    },
  },
})
