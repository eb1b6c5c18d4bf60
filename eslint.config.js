import tseslint from 'typescript-eslint';

/*
 * Import direction inside the agent (agent/src/<folder>/): the folders each folder may
 * import from, read off the code itself; anything else in agent/src is refused. Hosts
 * reach the transfer machinery only through engine/ (its index), and only the CLI
 * imports cli/. Specs are left out of the layering: they wire real parts together.
 */
const AGENT_LAYERS = {
  util: [],
  protocol: [],
  pieces: [],
  identity: ['util'],
  storage: ['pieces'],
  picker: ['protocol'],
  peer: ['identity', 'protocol'],
  swarm: ['identity', 'peer', 'picker', 'pieces', 'protocol', 'storage', 'util'],
  node: ['identity', 'peer', 'pieces', 'storage', 'swarm', 'util'],
  engine: ['identity', 'node', 'pieces', 'storage', 'util'],
  cli: ['engine', 'util'],
};
const AGENT_FOLDERS = Object.keys(AGENT_LAYERS);

/** `../x/…`, `../../x/…` for any folder x of `folders`. */
const intoFolders = (folders) => `^(\\.\\./)+(${folders.join('|')})/`;

const TEST_SUPPORT = {
  regex: '^(\\.\\./)+test/',
  message: 'Test support lives under agent/test/ and is not part of the agent: only specs import it.',
};

function agentLayerRules(folder) {
  const refused = AGENT_FOLDERS.filter((f) => f !== folder && !AGENT_LAYERS[folder].includes(f));
  const patterns = [TEST_SUPPORT];
  if (refused.length)
    patterns.push({
      regex: intoFolders(refused),
      message: `agent/src/${folder}/ may import only from ${AGENT_LAYERS[folder].join(', ') || 'its own folder'} (see AGENT_LAYERS in eslint.config.js).`,
    });
  if (AGENT_LAYERS[folder].includes('engine'))
    patterns.push({
      regex: '^(\\.\\./)+engine/(?!index\\.js$)',
      message: 'Hosts use the engine API through engine/index.js only.',
    });
  return {
    files: [`agent/src/${folder}/**/*.ts`],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

const NOT_THE_CLI = {
  regex: '(^|/)cli/',
  message: 'Only agent/src/cli/ imports the CLI: its api-client and exit codes are no part of the engine.',
};

const SERVER_USES_AGENT_ENTRY = [
  {
    group: ['@shoal/agent/**'],
    message: 'The server uses the agent through its public entry, `@shoal/agent`, only.',
  },
  {
    regex: '^(\\.\\./)+(.*/)?agent/',
    message: 'The server uses the agent through its public entry, `@shoal/agent`, only.',
  },
];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'admin-portal/**', '**/*.js', '**/*.mjs', 'bench/results/**'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      // Tests read untyped JSON bodies; production code must type what it reads.
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...AGENT_FOLDERS.map(agentLayerRules),
  {
    files: ['agent/src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^\\./(${AGENT_FOLDERS.filter((f) => f !== 'engine').join('|')}|testing)/`,
              message: 'The package entry exports the engine API only.',
            },
            TEST_SUPPORT,
          ],
        },
      ],
    },
  },
  {
    files: ['agent/src/**/*.spec.ts', 'agent/test/**/*.ts'],
    ignores: ['agent/src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NOT_THE_CLI] }] },
  },
  {
    files: ['server/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: SERVER_USES_AGENT_ENTRY }] },
  },
  {
    // What the server runs never reaches into its test support (server/test/support).
    files: ['server/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...SERVER_USES_AGENT_ENTRY,
            { regex: '^(\\.\\./)+test/', message: 'Test support is for specs only.' },
          ],
        },
      ],
    },
  },
);
