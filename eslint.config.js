// Flat config. Besides the usual type-aware rules it enforces the layering of DESIGN.md:
//   engine/        isomorphic: no Node, DOM, Electron or React (only engine/platform/ may touch the platform)
//   renderer/      browser: talks to the lab only through the contract in engine/api/
//   cli/, main/    may use the engine; cli/ never Electron or the UI, main/ never the UI
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

const nodeBuiltins = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'url',
  'worker_threads',
  'child_process',
  'crypto',
  'stream',
]
const uiPackages = ['react', 'react-dom', 'react-dom/*', 'recharts']

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'scenarios/traces/**', 'tests/e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            'eslint.config.js',
            '.dependency-cruiser.cjs',
            '*.mjs',
            'cli/*.mjs',
            'cli/bin/*.mjs',
            'engine/platform/node/*.mjs',
          ],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  // Plain JS launchers and build scripts: no type information to lint against.
  { files: ['**/*.mjs', '**/*.cjs', 'eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  // CommonJS files (the launcher) load modules with require()
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: [
      'main/**/*.ts',
      'cli/**/*.{ts,mjs}',
      'engine/platform/node/**/*.{ts,mjs}',
      'tests/**/*.ts',
      '*.config.{ts,js}',
    ],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...nodeBuiltins, 'electron'], message: 'renderer/ runs in the browser sandbox.' },
            { group: ['**/main/**'], message: 'renderer/ reaches main/ only through the LabApi port.' },
            {
              group: ['**/engine/**', '!**/engine/api', '!**/engine/api/**'],
              message: 'renderer/ may import only the contract in engine/api/.',
            },
          ],
        },
      ],
    },
  },
  // The web build's Vite config runs in Node at build time, beside the renderer it builds.
  {
    files: ['renderer/vite.*.config.ts'],
    languageOptions: { globals: globals.node },
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['engine/**/*.ts'],
    ignores: ['engine/platform/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...nodeBuiltins, 'electron', ...uiPackages],
              message: 'engine/ is isomorphic: platform code lives in engine/platform/.',
            },
            { group: ['**/main/**', '**/renderer/**', '**/cli/**'], message: 'engine/ imports point downwards only.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        'process',
        'Buffer',
        'require',
        '__dirname',
        'window',
        'document',
        'setImmediate',
      ],
    },
  },
  // A lab run must give the same stateHash in Chromium, Electron and Node: the engine's transcendental functions
  // are its own (Math.sin, Math.log, … and ** differ in the last bit between V8 versions).
  {
    files: ['engine/**/*.ts'],
    ignores: ['engine/math/fdlibm.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...[
          ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh'],
          ['log', 'log1p', 'log2', 'log10', 'exp', 'expm1', 'pow', 'cbrt', 'hypot'],
        ]
          .flat()
          .map((property) => ({
            object: 'Math',
            property,
            message:
              'Math.' +
              property +
              ' differs in the last bit between JavaScript engines: use engine/math/fdlibm.ts (add the function there if it is missing).',
          })),
      ],
      'no-restricted-syntax': [
        'error',
        {
          // a literal base (2 ** 20, 1024 ** 3: exact powers) is fine
          selector: "BinaryExpression[operator='**']:not([left.type='Literal'])",
          message: 'x ** y is Math.pow, not the same bits everywhere: multiply, or use engine/math/fdlibm.ts.',
        },
        { selector: "AssignmentExpression[operator='**=']", message: '**= is Math.pow: multiply instead.' },
      ],
    },
  },
  {
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', ...uiPackages, '**/main/**', '**/renderer/**'], message: 'cli/ is headless.' },
          ],
        },
      ],
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...uiPackages, '**/renderer/**', '**/cli/**'], message: 'main/ hosts the lab, not the UI.' },
          ],
        },
      ],
    },
  },
)
