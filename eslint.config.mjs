import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

const workflowBannedImports = {
  patterns: [
    { group: ['node:*'], message: 'Workflows are deterministic: no Node built-ins; call an activity.' },
    { group: ['pg', 'pg-*', '@aws-sdk/*', '@duckdb/*', 'pino'], message: 'Workflows must not do I/O; call an activity (import its type only).' },
  ],
  paths: ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'util', 'events', 'url', 'zlib', 'worker_threads', 'timers'].map((name) => ({
    name,
    message: 'Workflows are deterministic: no Node built-ins; call an activity.',
  })),
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.etl/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.mjs', 'jest.config.js', 'bin/*.cjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { import: importPlugin },
    settings: { 'import/parsers': { '@typescript-eslint/parser': ['.ts'] }, 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import/no-cycle': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { ...workflowBannedImports, patterns: workflowBannedImports.patterns.map((p) => ({ ...p, allowTypeImports: true })), paths: workflowBannedImports.paths.map((p) => ({ ...p, allowTypeImports: true })) }],
    },
  },
  { files: ['eslint.config.mjs', 'jest.config.js', 'bin/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['bin/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  }, { files: ['jest.config.js'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', process: 'readonly' } } },
);
