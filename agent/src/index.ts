/**
 * The agent as a library: the engine API (src/engine), which the server's built-in seed
 * embeds to run the same engine in its own process. The `shoal` command (src/cli) is built
 * on the same API.
 */
export * from './engine/index.js';
