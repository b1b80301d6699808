// Lint rules, including the layering of docs/architecture.md "Layers": each top-level folder may import only
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
          message: `${folder}/ may not import ${name}/ (docs/architecture.md "Layers")`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', '.services/**', 'web/dist/**', 'web/src/api/schema.d.ts', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // kernel/ is what every layer shares (limits, the who-may-see-whom table, the error
  // catalogue): everyone may import it, and it imports nothing of the project's.
  layer('kernel', ['events', 'domain', 'commands', 'projections', 'read-api', 'replay', 'app', 'media', 'workers']),
  layer('events', ['domain', 'commands', 'projections', 'read-api', 'replay', 'app', 'media', 'workers']),
  layer('domain', ['commands', 'projections', 'read-api', 'replay', 'app', 'media', 'workers']),
  // media/ holds the storage port with its adapters and the processing library: leaves that know
  // bytes and files, not the domain.
  layer('media', ['domain', 'commands', 'projections', 'read-api', 'replay', 'app', 'workers']),
  layer('commands', ['projections', 'read-api', 'replay', 'app', 'workers']),
  layer('projections', ['domain', 'commands', 'read-api', 'replay', 'app', 'workers']),
  layer('read-api', ['domain', 'commands', 'replay', 'app', 'workers']),
  layer('replay', ['domain', 'commands', 'read-api', 'app', 'workers']),
  // workers/ react to the log with side effects (processing media, deleting objects): they issue
  // commands and use media/, and are started by app/.
  layer('workers', ['read-api', 'replay', 'app']),
  // web/ is a client of the public HTTP API only (its types come from the OpenAPI document), never of the server's code.
  {
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: ['kernel', 'events', 'domain', 'commands', 'projections', 'read-api', 'replay', 'app', 'media', 'workers', 'scripts', 'test'].map((name) => ({
            group: [`**/${name}/*`, `**/${name}`],
            message: `web/ may not import ${name}/: it is a client of the HTTP API (docs/architecture.md "Web client")`,
          })),
        },
      ],
    },
  },
);
