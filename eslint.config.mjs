// Lint configuration (typescript-eslint, flat config, type-aware). An unhandled promise is a bug,
// not a warning; `any` is allowed only at the face-api/tfjs boundary (libs/face's loaded-models
// types and the analysis code that hands tensors to face-api), where it is named and typed there.
// Formatting is prettier's job (.prettierrc.json); no style rules here.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'apps/web/dist/**',
      'fixtures/**',
      'scratch/**',
      'test-artifacts/**',
      '.data/**',
      '.tmp/**',
      'precomputed/**',
      'masks/**',
      'expressions/**',
      'uploads/**',
      'generated/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['apps/web/vite.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      // Optional or backend-dependent packages are loaded lazily, only when present or chosen.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^@tensorflow/', '^@vladmandic/face-api', '^@ffmpeg-installer/', '^@ffprobe-installer/'] }],
      '@typescript-eslint/no-explicit-any': 'error',
      // sharp is set up once (libs/face/src/sharp-image.ts); nothing else imports it.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'sharp', message: "import { sharp } from '@talecast/face/sharp-image' (its cache is turned off there)" }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  { files: ['libs/face/src/sharp-image.ts'], rules: { 'no-restricted-imports': 'off' } },
);
