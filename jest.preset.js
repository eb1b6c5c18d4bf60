/**
 * Shared jest set-up for the TypeScript ES-module workspaces: native ESM
 * (run with --experimental-vm-modules), ts-jest in ESM mode, `.js` suffixes of
 * relative imports stripped, and @shoal/contract read from source so tests never
 * depend on a stale build.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(fileURLToPath(import.meta.url));

export function preset(workspaceDir, overrides = {}) {
  return {
    rootDir: workspaceDir,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: {
      '^@shoal/contract$': join(root, 'contract/src/index.ts'),
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: join(workspaceDir, 'tsconfig.json') }],
    },
    testMatch: ['<rootDir>/src/**/*.spec.ts'],
    ...overrides,
  };
}
