/**
 * deploy/Dockerfile and deploy/compose.yaml cannot be built or run on these machines (no
 * registry for base images), so they are kept to what the tarball's own test runs and
 * checked against it: the Dockerfile only unpacks the tarball `npm run package` names and
 * starts its bin/shoal-server; compose passes the servers only variables bin/shoal-server
 * passes on, and wires them to its own MariaDB and Redis.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../harness/server.js';

const VERSION = JSON.parse(readFileSync(join(REPO_ROOT, 'server/package.json'), 'utf8')).version as string;
const dockerfile = readFileSync(join(REPO_ROOT, 'deploy/Dockerfile'), 'utf8');

/** The variables of the README's configuration table: all bin/shoal-server lets through. */
function documentedVariables(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const table = readme.slice(
    readme.indexOf('## Configuration'),
    readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
  );
  return [...table.matchAll(/^\| ((?:`[A-Z][A-Z0-9_]*`(?: \/ )?)+) \|/gm)].flatMap((m) =>
    [...m[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((n) => n[1]!),
  );
}

interface Service {
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

describe('the deploy files', () => {
  it('the Dockerfile unpacks this release tarball and runs its bin/shoal-server, as an unprivileged user', () => {
    const instructions = dockerfile
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((l) => /^[A-Z]+ /.test(l));
    const of = (word: string) =>
      instructions.filter((l) => l.startsWith(`${word} `)).map((l) => l.slice(word.length + 1));
    expect(of('ARG')).toEqual([`VERSION=${VERSION}`]);
    expect(of('ADD')).toEqual(['shoal-server-${VERSION}-linux-x64.tar.gz /opt/shoal-server/']);
    expect(of('RUN').join('\n')).toContain(
      'ln -s /opt/shoal-server/shoal-server-${VERSION}-linux-x64 /opt/shoal-server/current',
    );
    expect(of('USER')).toEqual(['shoal-server']);
    expect(of('ENTRYPOINT')).toEqual(['["/opt/shoal-server/current/bin/shoal-server"]']);
    // Nothing is built or installed in the image: no compiler, no npm, no package manager.
    expect(of('RUN').join('\n')).not.toMatch(/\b(npm|apt-get|apk|yum|make|node-gyp)\b/);
    const env = of('ENV').map((l) => l.split('=')[0]!);
    expect(env.filter((name) => !documentedVariables().includes(name))).toEqual([]);
  });

  it('compose runs two instances of that image on one MariaDB and one Redis, with documented variables only', () => {
    const compose = parse(readFileSync(join(REPO_ROOT, 'deploy/compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, Service>;
    };
    const { mariadb, redis, ...servers } = compose.services;
    expect(Object.keys(servers).sort()).toEqual(['server-1', 'server-2']);
    expect(mariadb?.image).toMatch(/^mariadb:/);
    expect(redis?.image).toMatch(/^redis:/);
    const documented = documentedVariables();
    for (const [name, server] of Object.entries(servers)) {
      expect([name, server.build]).toEqual([
        name,
        { context: '.', dockerfile: 'Dockerfile', args: { VERSION: expect.any(String) } },
      ]);
      const env = server.environment!;
      expect([name, Object.keys(env).filter((v) => !documented.includes(v))]).toEqual([name, []]);
      // Interpolation left aside, the URLs name compose's own services and MariaDB's account.
      const db = new URL(env.DATABASE_URL!.replace(/\$\{[^}]+\}/g, 'x'));
      expect([db.protocol, db.hostname, db.username, db.pathname]).toEqual([
        'mysql:',
        'mariadb',
        mariadb!.environment!.MARIADB_USER,
        `/${mariadb!.environment!.MARIADB_DATABASE}`,
      ]);
      expect(env.DATABASE_URL).toContain(mariadb!.environment!.MARIADB_PASSWORD);
      expect(new URL(env.REDIS_URL!).hostname).toBe('redis');
    }
    // Both instances share one configuration; the second starts once the first has migrated.
    expect(servers['server-2']!.environment).toEqual(servers['server-1']!.environment);
    expect(servers['server-2']!.depends_on?.['server-1']).toEqual({ condition: 'service_healthy' });
  });
});
