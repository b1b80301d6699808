// Lint rules, including the layering of DESIGN §2: each top-level folder may import only
// the folders listed for it, so the dependency direction is checked, not just documented.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (folder, forbidden) => ({
  files: [`${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((name) => ({
          group: [`**/${name}/*`, `**/${name}`],
          message: `${folder}/ may not import ${name}/ (DESIGN §2 layering)`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', '.services/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  layer('events', ['domain', 'commands', 'projections', 'read-api', 'replay', 'app']),
  layer('domain', ['commands', 'projections', 'read-api', 'replay', 'app']),
  layer('commands', ['projections', 'read-api', 'replay', 'app']),
  layer('projections', ['domain', 'commands', 'read-api', 'replay', 'app']),
  layer('read-api', ['domain', 'commands', 'replay', 'app']),
  layer('replay', ['domain', 'commands', 'read-api', 'app']),
);
