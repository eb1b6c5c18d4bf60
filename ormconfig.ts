/**
 * The TypeORM DataSource the migration CLI uses:
 *   npx typeorm-ts-node-esm -d ormconfig.ts migration:run
 * It reads the same environment as the server (DATABASE_URL, SHOAL_DATA_DIR).
 */
import { DataSource } from 'typeorm';
import { loadConfig } from './server/src/config/app-config.js';
import { dataSourceOptions } from './server/src/database/data-source-options.js';

const config = loadConfig();
export default new DataSource(dataSourceOptions(config.databaseUrl, config.dataDir));
