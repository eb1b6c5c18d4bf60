import { computeContentId, parseManifest, type Manifest } from '@shoal/contract';
import { generateKeyPair, SignJWT } from 'jose';
import type { AgentNode } from '../node/agent-node.js';
import { makeContent, TestAuthority } from '../../test/support/test-authority.js';
import { checkManifestTrust, ManifestRefusedError } from './manifest-trust.js';
import { NodeKey } from './node-keys.js';

let authority: TestAuthority;
let node: AgentNode;
let genuine: Manifest;

beforeEach(async () => {
  authority = await TestAuthority.start();
  ({ node } = await authority.node('victim', 'client'));
  const { spec } = await makeContent([{ path: 'app/bin', size: 40_000 }], 16 * 1024);
  genuine = parseManifest({
    format: 'shoal-manifest',
    version: 1,
    resourceId: spec.resourceId,
    contentId: spec.contentId,
    name: spec.name,
    description: '',
    totalSize: spec.totalSize,
    pieceSize: spec.pieceSize,
    files: spec.files,
    pieceHashes: spec.pieceHashes,
    serverUrl: authority.url,
    trackerUrl: `${authority.url}/api/tracker/announce`,
    seeds: [],
    peers: [],
    ticket: await authority.ticket(spec.resourceId, spec.contentId),
    issuedAt: new Date().toISOString(),
  });
});
afterEach(() => authority.close());

const check = (m: Manifest, trustedOrigins = [authority.url]) =>
  checkManifestTrust(m, {
    trustedOrigins,
    nodeId: 'victim',
    verifyTicket: (ticket, expect) => node.verifyTicket(ticket, expect),
  });

/** An attacker's edit that keeps the manifest self-consistent (content id recomputed), as a modified client would. */
function withFiles(m: Manifest, files: Manifest['files'], pieceHashes: string[]): Manifest {
  const totalSize = files.reduce((a, f) => a + f.size, 0);
  return {
    ...m,
    files,
    totalSize,
    pieceHashes,
    contentId: computeContentId({ pieceSize: m.pieceSize, files, pieceHashes }),
  };
}

async function otherKeyTicket(m: Manifest, kid = 'test-key'): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  return new SignJWT({ typ: 'shoal-ticket', res: m.resourceId, cid: m.contentId })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setIssuer('shoal')
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
}

describe('manifest trust', () => {
  it('accepts a genuine manifest of the enrolled server, bound or not to this node', async () => {
    await expect(check(genuine)).resolves.toBeUndefined();
    const bound = {
      ...genuine,
      ticket: await authority.ticket(genuine.resourceId, genuine.contentId, { node: 'victim' }),
    };
    await expect(check(bound)).resolves.toBeUndefined();
  });

  const refusals: [string, () => Promise<Manifest>, RegExp][] = [
    [
      'files and hashes swapped under a genuine ticket',
      async () =>
        withFiles(
          genuine,
          [
            { path: '.bashrc', size: 10 },
            { path: '.ssh/authorized_keys', size: 10 },
          ],
          ['a'.repeat(64)],
        ),
      /ticket was issued for other content than the files it lists/,
    ],
    [
      'one piece hash changed',
      async () => withFiles(genuine, genuine.files, ['b'.repeat(64), ...genuine.pieceHashes.slice(1)]),
      /other content/,
    ],
    [
      'files swapped without recomputing the content id (a caller that skipped parseManifest)',
      async () => ({ ...genuine, files: [{ path: '.bashrc', size: genuine.totalSize }] }),
      /contentId does not match the files and piece hashes it lists/,
    ],
    [
      'the ticket of another resource',
      async () => ({ ...genuine, ticket: await authority.ticket('res-other', genuine.contentId) }),
      /resource res-other/,
    ],
    [
      'a ticket bound to another node',
      async () => ({
        ...genuine,
        ticket: await authority.ticket(genuine.resourceId, genuine.contentId, { node: 'thief' }),
      }),
      /bound to node thief/,
    ],
    [
      'an expired ticket',
      async () => ({
        ...genuine,
        ticket: await authority.ticket(genuine.resourceId, genuine.contentId, { expiresIn: -3600 }),
      }),
      /expired/,
    ],
    [
      'a ticket signed by another key',
      async () => ({ ...genuine, ticket: await otherKeyTicket(genuine) }),
      /signature is invalid/,
    ],
    [
      'a ticket signed by a key the server does not have',
      async () => ({ ...genuine, ticket: await otherKeyTicket(genuine, 'attacker-key') }),
      /signed by an unknown key/,
    ],
    [
      "the genuine ticket's content id edited to match swapped files",
      async () => {
        const evil = withFiles(genuine, [{ path: '.bashrc', size: 10 }], ['c'.repeat(64)]);
        const [header, payload, signature] = genuine.ticket.split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
        const edited = Buffer.from(JSON.stringify({ ...claims, cid: evil.contentId })).toString('base64url');
        return { ...evil, ticket: `${header}.${edited}.${signature}` };
      },
      /signature is invalid \(forged\?\)/,
    ],
    [
      'a token of another type signed by the server',
      async () => ({
        ...genuine,
        ticket: await authority.ticket(genuine.resourceId, genuine.contentId, { typ: 'shoal-user' }),
      }),
      /typ "shoal-user", not a download ticket/,
    ],
    [
      'a ticket of another issuer',
      async () => ({
        ...genuine,
        ticket: await authority.ticket(genuine.resourceId, genuine.contentId, { issuer: 'someone-else' }),
      }),
      /claim "iss"/,
    ],
    ['a ticket that is not a JWT', async () => ({ ...genuine, ticket: 'not-a-ticket' }), /download ticket is invalid/],
    [
      'a node credential in place of the ticket',
      async () => ({ ...genuine, ticket: await authority.credential('victim', 'client', NodeKey.generate()) }),
      /typ "shoal-node", not a download ticket|claim/,
    ],
    [
      'a tracker on another host',
      async () => ({ ...genuine, trackerUrl: 'http://127.0.0.1:1/api/tracker/announce' }),
      /trackerUrl .* is not the server this node is enrolled with/,
    ],
    [
      'a server URL on another host',
      async () => ({ ...genuine, serverUrl: 'https://evil.example' }),
      /serverUrl .* is not the server/,
    ],
    [
      'the same host over another scheme',
      async () => ({ ...genuine, serverUrl: genuine.serverUrl.replace('http:', 'https:') }),
      /serverUrl/,
    ],
  ];

  it.each(refusals)('refuses %s with one sentence', async (_case, make, reason) => {
    const m = await make();
    const err = await check(m).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ManifestRefusedError);
    expect((err as Error).message).toMatch(/^manifest refused: /);
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).not.toContain('\n');
  });

  it('accepts another origin only when it is listed as trusted', async () => {
    const m = {
      ...genuine,
      serverUrl: 'https://shoal.example.com',
      trackerUrl: 'https://shoal.example.com/api/tracker/announce',
    };
    await expect(check(m)).rejects.toThrow(ManifestRefusedError);
    await expect(check(m, [authority.url, 'https://shoal.example.com'])).resolves.toBeUndefined();
  });
});
