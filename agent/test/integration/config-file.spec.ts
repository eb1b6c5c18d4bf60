import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/shoal.js');

function shoal(dataDir: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('configuration: flags, then SHOAL_* environment, then <data-dir>/config.json', () => {
  it('reads limits from config.json and refuses a bad one, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-config-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ maxPeers: 0 }));
    const bad = shoal(dir, ['status']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--max-peers must be a positive integer/);
    writeFileSync(join(dir, 'config.json'), '{ not json');
    expect(shoal(dir, ['status']).stderr).toMatch(/config\.json is not valid JSON/);
  });

  it('lets the environment override config.json, and a flag override both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-config-'));
    // `status` runs to the end (exit 0, its report on stdout) only with a valid limit.
    const runs = (r: ReturnType<typeof shoal>) => ({
      status: r.status,
      stderr: r.stderr,
      report: /^data dir: /.test(r.stdout),
    });
    const ran = { status: 0, stderr: '', report: true };
    const refused = {
      status: 2,
      stderr: expect.stringMatching(/--max-peers must be a positive integer/),
      report: false,
    };

    writeFileSync(join(dir, 'config.json'), JSON.stringify({ maxPeers: 0 }));
    expect(runs(shoal(dir, ['status'], { SHOAL_MAX_PEERS: '8' }))).toEqual(ran);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ maxPeers: 3 }));
    expect(runs(shoal(dir, ['status']))).toEqual(ran);
    expect(runs(shoal(dir, ['status'], { SHOAL_MAX_PEERS: 'many' }))).toEqual(refused);
    expect(runs(shoal(dir, ['--max-peers', '4', 'status'], { SHOAL_MAX_PEERS: 'many' }))).toEqual(ran);
    expect(runs(shoal(dir, ['--max-peers', '0', 'status'], { SHOAL_MAX_PEERS: '8' }))).toEqual(refused);
  });
});
