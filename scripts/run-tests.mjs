#!/usr/bin/env node
/**
 * `npm test`: builds what the end-to-end suites start (server, agent, portal, release
 * artifacts), then runs every workspace's jest suite one after another and ends with one line
 * `N passed, N failed` summed over all of them. Exits non-zero on any failure, and when
 * a suite crashes before it can report.
 *
 * Extra arguments go to every jest run (e.g. `npm test -- -t manifest`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['contract', 'server', 'agent', 'admin-portal', 'test'];
const extra = process.argv.slice(2);

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return res.status ?? 1;
}

if (!process.env.SHOAL_TEST_SKIP_BUILD) {
  // The release suites test the artifacts, not the checkout: `npm run package` builds the
  // checkout (contract, agent, server, portal) and then the artifacts from it.
  if (run('npm', ['run', 'package']) !== 0) {
    console.log('build failed');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

const outDir = mkdtempSync(join(tmpdir(), 'shoal-test-results-'));
let passed = 0;
let failed = 0;
let skipped = 0;
const summary = [];
for (const ws of workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) continue;
  const outFile = join(outDir, `${ws}.json`);
  console.log(`\n=== ${ws} ===`);
  const status = run('npm', ['test', '-w', ws, '--', '--json', `--outputFile=${outFile}`, ...extra]);
  if (!existsSync(outFile)) {
    failed += 1;
    summary.push(`${ws}: crashed before reporting (exit ${status})`);
    continue;
  }
  const report = JSON.parse(readFileSync(outFile, 'utf8'));
  // A suite that fails to load counts as a failure even though it ran no test.
  const brokenSuites = report.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  passed += report.numPassedTests;
  // Skipped and todo tests are reported by name so a silenced suite cannot hide in the count.
  const notRun = report.testResults.flatMap((s) =>
    s.assertionResults.filter((a) => a.status === 'pending' || a.status === 'todo').map((a) => `${a.status}: ${a.fullName}`),
  );
  skipped += notRun.length;
  for (const line of notRun) console.log(`  ${ws} ${line}`);
  failed += report.numFailedTests + brokenSuites;
  if (status !== 0 && report.numFailedTests + brokenSuites === 0) failed += 1;
  summary.push(
    `${ws}: ${report.numPassedTests} passed, ${report.numFailedTests + brokenSuites} failed` +
      (notRun.length ? `, ${notRun.length} skipped or todo` : ''),
  );
}
rmSync(outDir, { recursive: true, force: true });
if (skipped) summary.push(`${skipped} skipped or todo (listed above)`);
console.log('\n' + summary.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
