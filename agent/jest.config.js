import { preset } from '../jest.preset.js';

// Engine specs move real bytes over TLS; on a loaded 2-core CI machine a few seconds is
// not enough, so every test gets 30 s (none asserts on time).
const base = preset(import.meta.dirname, { testTimeout: 30_000 });

/**
 * Two projects, one jest run (so `npm test` gets one report with both counts):
 * - unit: specs beside the code, in-process, quick (`npm run test:unit -w agent`);
 * - integration: several agents over real TLS, and the `shoal` CLI as separate processes
 *   running the bundle users run, which the global setup builds first.
 */
export default {
  testTimeout: base.testTimeout,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/integration/build-agent.mjs',
    },
  ],
};
