/**
 * The agent as a library: what the server's built-in seed embeds to run the same engine
 * in its own process. The `shoal` command (src/cli) is built on the same pieces.
 */
export { AgentNode, type AgentNodeOptions } from './node/agent-node.js';
export type { TransferSpec } from './node/transfer-spec.js';
export { NodeKey } from './identity/node-keys.js';
export { generateTlsMaterial, type TlsMaterial } from './identity/tls-certificate.js';
export { hashContent } from './cli/commands/publish.js';
export type { Logger, LogLevel } from './util/logger.js';
