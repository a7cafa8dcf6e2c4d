// The layers of docs/architecture.md, checked on every `npm test` (`npm run deps`): no import cycles;
// engine/ stays isomorphic (platform code only in engine/platform/, reached by the others through its
// interfaces); the renderer speaks to the lab only through the contract in engine/api/.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles make the layers meaningless; put shared words in a leaf (engine/vocabulary.ts).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'engine-not-to-platform-implementations',
      severity: 'error',
      comment: 'engine/ runs in Node and in browsers: only engine/platform/{node,browser} may touch either.',
      from: { path: '^engine/', pathNot: '^engine/platform/(node|browser)/' },
      to: { path: '^engine/platform/(node|browser)/' },
    },
    {
      name: 'engine-not-upwards',
      severity: 'error',
      comment: 'engine/ is the bottom layer: it never imports the CLI, the main process or the UI.',
      from: { path: '^engine/' },
      to: { path: '^(cli|main|renderer)/' },
    },
    {
      name: 'renderer-only-the-contract',
      severity: 'error',
      comment: 'The renderer reaches the lab only through engine/api/ (the LabApi contract and its types).',
      from: { path: '^renderer/', pathNot: '^renderer/vite\\.[^/]+\\.config\\.ts$' },
      to: { path: '^(engine/(?!api/)|main/|cli/)' },
    },
    {
      name: 'cli-not-to-app',
      severity: 'error',
      comment: 'cli/ is headless.',
      from: { path: '^cli/' },
      to: { path: '^(main|renderer)/' },
    },
    {
      name: 'main-not-to-ui',
      severity: 'error',
      comment: 'main/ hosts the lab, not the UI.',
      from: { path: '^main/' },
      to: { path: '^(renderer|cli)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|dist|node_modules)/' },
  },
}
