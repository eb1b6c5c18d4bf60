/**
 * The engine API: everything a host of the transfer engine (the `shoal` CLI, the server's
 * built-in seed) uses. Hosts import this module and nothing deeper; the lint rules in the
 * root eslint.config.js hold them to it.
 */
export { Engine, type EngineOptions } from './engine.js';
export type { PeerSummary, Transfer, TransferCounters, TransferEvent } from './transfer.js';
export { specFromManifest, type TransferSpec } from '../node/transfer-spec.js';
export { hashContent } from '../pieces/hash-content.js';
export { hashWithFingerprints, type FileFingerprint } from '../storage/file-fingerprint.js';
export { ExistingFileError } from '../storage/download-area.js';
// Where a host puts a resource it names the folder of itself (download requests).
export { folderNameFor, mkdirInside } from '../storage/safe-path.js';
// A node's identity, and the check a manifest passes before anything is dialled or written.
export { NodeKey } from '../identity/node-keys.js';
export { generateTlsMaterial, type TlsMaterial } from '../identity/tls-certificate.js';
export { checkManifestTrust, ManifestRefusedError, originOf } from '../identity/manifest-trust.js';
export type { Logger, LogLevel } from '../util/logger.js';
// Files a host keeps (the built-in seed's identity and holdings) are written as the agent writes its own.
export { writeFileAtomic } from '../util/atomic-file.js';
