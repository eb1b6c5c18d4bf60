import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app-config.js';

async function main(): Promise<void> {
  // Everything the server writes (database, keys, uploads) is for the server's user only.
  process.umask(0o077);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`shoal server: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const database = config.databaseUrl ? 'MySQL' : `SQLite in ${config.dataDir}`;
  new Logger('Shoal').log(`listening on http://localhost:${config.port} (${database}); API docs at /api/docs`);
}

main().catch((err: unknown) => {
  process.stderr.write(`shoal server failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
