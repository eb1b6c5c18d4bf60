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
      /^ExecStart="\/usr\/bin\/node" "\S+\/bin\/shoal\.js" "--data-dir" "\/var\/lib\/shoal agent" "serve" "--json" "--upload-limit" "50M"$/m,
    );
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=4$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^ReadWritePaths="\/var\/lib\/shoal agent"$/m);
    expect(unit).toMatch(/^Environment="SHOAL_HOME=\/var\/lib\/shoal agent"$/m);
    expect(unit).toMatch(/^WantedBy=multi-user.target$/m);
  });

  it('writes a data dir with quotes, %, $ and backslashes so that systemd reads back the same path', () => {
    const unit = systemdUnit({ ...base, dataDir: '/srv/50%h $HOME "q" \\b' }, '/usr/bin/node');
    // %% is a literal % everywhere; $$ a literal $ on command lines only; \" and \\ inside quotes.
    expect(unit).toContain('"--data-dir" "/srv/50%%h $$HOME \\"q\\" \\\\b" "serve"');
    expect(unit).toMatch(/^ReadWritePaths="\/srv\/50%%h \$HOME \\"q\\" \\\\b"$/m);
    expect(unit).toMatch(/^Environment="SHOAL_HOME=\/srv\/50%%h \$HOME \\"q\\" \\\\b"$/m);
    expect(unit).toMatch(/^Description=Shoal agent \(seed server\) for \/srv\/50%%h /m);
  });

  it('refuses what would add directives: a user name with a newline, control characters in a path or flag', () => {
    expect(() => systemdUnit({ ...base, user: 'shoal\nExecStartPre=+/usr/bin/touch /tmp/PWNED' })).toThrow(
      /is not a user name/,
    );
    expect(() => systemdUnit({ ...base, dataDir: '/srv/a\nExecStartPre=+/bin/true' })).toThrow(/control characters/);
    expect(() => systemdUnit({ ...base, serveArgs: ['--upload-limit', '5M\r'] })).toThrow(/control characters/);
  });

  it('writes the data dir as an absolute path, as systemd needs', () => {
    const unit = systemdUnit({ ...base, dataDir: 'relative/seed' }, '/usr/bin/node');
    expect(unit).toContain(`"--data-dir" "${join(process.cwd(), 'relative/seed')}"`);
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
