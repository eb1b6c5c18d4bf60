import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '../../../test/support/memory-logger.js';
import { installService, systemdUnit, uninstallService } from './service.js';

describe('shoal service', () => {
  const base = {
    user: 'shoal',
    dataDir: '/var/lib/shoal agent',
    unitDir: '',
    name: 'shoal-agent',
    serveArgs: ['--upload-limit', '50M'],
  };

  it('writes a unit that runs serve for the data dir as the user, restarts on failure and stops with SIGTERM', () => {
    const unit = systemdUnit(base, '/usr/bin/node');
    expect(unit).toMatch(/^User=shoal$/m);
    expect(unit).toMatch(
      /^ExecStart=\/usr\/bin\/node \S+\/bin\/shoal\.js --data-dir "\/var\/lib\/shoal agent" serve --json --upload-limit 50M$/m,
    );
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=4$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^ReadWritePaths=\/var\/lib\/shoal agent$/m);
    expect(unit).toMatch(/^WantedBy=multi-user.target$/m);
  });

  it('installs into the unit dir and uninstalls again', async () => {
    const unitDir = mkdtempSync(join(tmpdir(), 'shoal-units-'));
    const log = new MemoryLogger();
    const file = await installService({ ...base, unitDir }, log);
    expect(readFileSync(file, 'utf8')).toContain('[Service]');
    await uninstallService({ unitDir, name: base.name }, log);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a unit name that could escape the unit dir', async () => {
    await expect(installService({ ...base, unitDir: tmpdir(), name: '../evil' }, new MemoryLogger())).rejects.toThrow(
      /--name/,
    );
  });
});
