import { join } from 'node:path';
import { SQLITE_FILE } from './data-dir.js';
import type { DataSourceOptions } from 'typeorm';
import { User } from '../users/user.entity.js';
import { SigningKey } from '../credentials/signing-key.entity.js';
import { ServerSecret } from './server-secret.entity.js';
import { Resource } from '../resources/resource.entity.js';
import { ResourceNameToken } from '../resources/resource-name-token.entity.js';
import { Node } from '../nodes/node.entity.js';
import { NodeHolding } from '../nodes/node-holding.entity.js';
import { EnrollmentToken } from '../nodes/enrollment-token.entity.js';
import { AuditEntry } from '../audit/audit-entry.entity.js';
import { TrafficBucket } from '../nodes/traffic-bucket.entity.js';
import { InitialSchema1764150000000 } from './migrations/1764150000000-InitialSchema.js';
import { Preheat1764160000000 } from './migrations/1764160000000-Preheat.js';
import { BuiltinNode1764170000000 } from './migrations/1764170000000-BuiltinNode.js';
import { SearchIndexes1764180000000 } from './migrations/1764180000000-SearchIndexes.js';
import { TrustBoundaries1764190000000 } from './migrations/1764190000000-TrustBoundaries.js';
import { ReusableEnrollmentTokens1764200000000 } from './migrations/1764200000000-ReusableEnrollmentTokens.js';
import { DescriptionWords1764210000000 } from './migrations/1764210000000-DescriptionWords.js';
import { ApiTokens1764220000000 } from './migrations/1764220000000-ApiTokens.js';
import { SessionGeneration1764230000000 } from './migrations/1764230000000-SessionGeneration.js';
import { ApiToken } from '../api-tokens/api-token.entity.js';
import { NodePresence1764240000000 } from './migrations/1764240000000-NodePresence.js';
import { DownloadRequests1764250000000 } from './migrations/1764250000000-DownloadRequests.js';
import { DownloadRequestEntity } from '../download-requests/download-request.entity.js';
import { SingleSignOn1764260000000 } from './migrations/1764260000000-SingleSignOn.js';
import { PreheatJobEntity } from '../preheat/preheat-job.entity.js';
import { PreheatTaskEntity } from '../preheat/preheat-task.entity.js';

export const ENTITIES = [
  User,
  SigningKey,
  ServerSecret,
  Resource,
  ResourceNameToken,
  Node,
  NodeHolding,
  EnrollmentToken,
  AuditEntry,
  TrafficBucket,
  PreheatJobEntity,
  PreheatTaskEntity,
  ApiToken,
  DownloadRequestEntity,
];

/** Listed explicitly (not globbed) so the same list works from src under jest and from dist. */
export const MIGRATIONS = [
  InitialSchema1764150000000,
  Preheat1764160000000,
  BuiltinNode1764170000000,
  SearchIndexes1764180000000,
  TrustBoundaries1764190000000,
  ReusableEnrollmentTokens1764200000000,
  DescriptionWords1764210000000,
  ApiTokens1764220000000,
  SessionGeneration1764230000000,
  NodePresence1764240000000,
  DownloadRequests1764250000000,
  SingleSignOn1764260000000,
];

/**
 * Reads of a large catalog: a search probes the word table once per candidate name, a
 * B-tree descent each. With SQLite's default 2 MB page cache every descent copies pages
 * in through read(); mapping the file (up to 2 GiB, SQLite's compiled maximum: the whole
 * file at 1,000,000 resources is 1.7 GB) and a 64 MiB cache make each descent cheaper
 * (docs/benchmarks.md, search, has the figures). The mapped pages are the OS page cache,
 * shared and reclaimable (they count in the process's RSS once touched); the cache is
 * private memory that fills only as it is used.
 */
export const SQLITE_READ_PRAGMAS = ['mmap_size = 2147483648', 'cache_size = -65536'];

/**
 * SQLite in the data dir by default; MySQL/MariaDB when DATABASE_URL is a mysql:// URL.
 * `synchronize` is always off: the schema comes only from migrations, run at start
 * (database/migration-lock.ts).
 */
export function dataSourceOptions(databaseUrl: string | null, dataDir: string): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, migrationsRun: false } as const;
  if (databaseUrl) {
    return {
      ...common,
      type: 'mysql',
      url: databaseUrl,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      // Keep BIGINT/DECIMAL exact as strings; transformers turn them into numbers.
      supportBigNumbers: true,
      bigNumberStrings: true,
      extra: { connectionLimit: 20 },
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: join(dataDir, SQLITE_FILE),
    // WAL lets readers go on while a write commits; NORMAL sync is safe with WAL.
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      for (const p of SQLITE_READ_PRAGMAS) db.pragma(p);
    },
  };
}
