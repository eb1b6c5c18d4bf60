import { preset } from '../jest.preset.js';
// Engine specs move real bytes over TLS between several agents; on a loaded 2-core CI
// machine a few seconds is not enough, so every test gets 30 s (none asserts on time).
export default preset(import.meta.dirname, { testTimeout: 30_000 });
