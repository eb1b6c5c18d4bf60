import {
  nodeProofHeaders,
  NODE_PROOF_REQUIRED_MESSAGE,
  TRACKER_SESSION,
  trackerSessionHeader,
  type NodeCredentialClaims,
} from '@shoal/contract';
import type { Repository } from 'typeorm';
import type { ServerSecret } from '../database/server-secret.entity.js';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CredentialError, type CredentialsService } from './credentials.service.js';
import { NodeAuthError, NodeProofService } from './node-proof.service.js';
import { TrackerSessionService } from './tracker-session.service.js';

function nodeKey(): { key: KeyObject; x: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { key: privateKey, x: String(createPublicKey(privateKey).export({ format: 'jwk' }).x) };
}

const node = nodeKey();
const credentials = new Map<string, NodeCredentialClaims>();
for (const [credential, sub] of [
  ['cred-1', 'node-1'],
  ['cred-2', 'node-2'],
]) {
  credentials.set(credential, {
    typ: 'shoal-node',
    iss: 'shoal',
    sub,
    name: sub,
    role: 'seed',
    site: null,
    cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: node.x } },
    iat: 1,
    exp: 2e9,
  });
}
const fakeCredentials = {
  verifyNodeCredential: async (t: string) => {
    const c = credentials.get(t);
    if (!c) throw new CredentialError('invalid credential');
    return c;
  },
  cachedNodeCredential: (t: string) => credentials.get(t),
} as unknown as CredentialsService;

async function request(o: { credential?: string; key?: KeyObject; method?: string; url?: string; signedFor?: string }) {
  const credential = o.credential ?? 'cred-1';
  const url = o.url ?? '/api/nodes/heartbeat';
  const headers = await nodeProofHeaders({
    credential,
    key: o.key ?? node.key,
    method: o.method ?? 'POST',
    url: o.signedFor ?? url,
  });
  return { method: 'POST', url, headers };
}

/** A session service on a fixed secret (the repository stands in for the server_secrets table). */
async function sessionService(): Promise<TrackerSessionService> {
  const secrets = { findOneBy: async () => ({ name: 'tracker-session-hmac', value: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ' }) };
  const s = new TrackerSessionService(secrets as unknown as Repository<ServerSecret>);
  await s.onModuleInit();
  return s;
}

function announceWithSession(session: string, credential = 'cred-1', url: string = TRACKER_SESSION.path) {
  return { method: 'POST', url, headers: { authorization: `DPoP ${credential}`, [TRACKER_SESSION.header]: session } };
}

describe('NodeProofService', () => {
  let proofs: NodeProofService;
  let sessions: TrackerSessionService;
  beforeEach(async () => {
    sessions = await sessionService();
    proofs = new NodeProofService(fakeCredentials, null, sessions);
  });

  it('accepts a node request carrying a proof signed with the key its credential binds', async () => {
    await expect(proofs.authenticate(await request({}))).resolves.toMatchObject({ sub: 'node-1' });
  });

  it('refuses a node credential sent alone, as a bearer token or under DPoP', async () => {
    const bearer = { method: 'POST', url: '/api/nodes/heartbeat', headers: { authorization: 'Bearer cred-1' } };
    await expect(proofs.authenticate(bearer)).rejects.toThrow(NODE_PROOF_REQUIRED_MESSAGE);
    const noProof = { method: 'POST', url: '/api/nodes/heartbeat', headers: { authorization: 'DPoP cred-1' } };
    await expect(proofs.authenticate(noProof)).rejects.toThrow(NODE_PROOF_REQUIRED_MESSAGE);
    // A valid proof does not rescue a bearer credential.
    const { headers } = await request({});
    await expect(
      proofs.authenticate({ ...bearer, headers: { authorization: 'Bearer cred-1', dpop: headers.dpop } }),
    ).rejects.toThrow(NODE_PROOF_REQUIRED_MESSAGE);
  });

  it('refuses a proof signed by another key than the credential binds', async () => {
    await expect(proofs.authenticate(await request({ key: nodeKey().key }))).rejects.toThrow(
      /not signed by the key of this credential/,
    );
  });

  it('refuses a proof made for another path or method', async () => {
    const forAnnounce = await request({ signedFor: '/api/tracker/announce' });
    await expect(proofs.authenticate(forAnnounce)).rejects.toThrow(/another request/);
    const asGet = await request({ method: 'GET' });
    await expect(proofs.authenticate(asGet)).rejects.toThrow(/another request/);
  });

  it('refuses a proof made for another credential of the same key', async () => {
    const r = await request({ credential: 'cred-2' });
    await expect(
      proofs.authenticate({ ...r, headers: { authorization: 'DPoP cred-1', dpop: r.headers.dpop } }),
    ).rejects.toThrow(/another credential/);
  });

  it('refuses a replayed request, through the fast path too, and an unknown credential', async () => {
    const r = await request({ url: '/api/tracker/announce' });
    await expect(proofs.authenticateCached(r)).resolves.toMatchObject({ sub: 'node-1' });
    await expect(proofs.authenticate(r)).rejects.toThrow(/already used/);
    await expect(proofs.authenticateCached(r)).rejects.toBeInstanceOf(NodeAuthError);
    await expect(proofs.authenticate(await request({ credential: 'forged' }))).rejects.toThrow(
      /node credential refused/,
    );
    await expect(proofs.authenticateCached(await request({ credential: 'forged' }))).resolves.toBeNull();
  });

  it('refuses a replay whatever the query string', async () => {
    const r = await request({ url: '/api/nodes/manifests/x' });
    await proofs.authenticate(r);
    await expect(proofs.authenticate({ ...r, url: '/api/nodes/manifests/x?again=1' })).rejects.toThrow(/already used/);
  });

  describe('tracker sessions', () => {
    it('accept an announce with the session granted to this node and credential, once', async () => {
      const header = trackerSessionHeader(sessions.grant('node-1', 'cred-1'));
      await expect(proofs.authenticate(announceWithSession(header))).resolves.toMatchObject({ sub: 'node-1' });
      await expect(proofs.authenticate(announceWithSession(header))).rejects.toThrow(/already used/);
      const next = trackerSessionHeader(sessions.grant('node-1', 'cred-1'));
      await expect(proofs.authenticateCached(announceWithSession(next))).resolves.toMatchObject({ sub: 'node-1' });
      await expect(proofs.authenticateCached(announceWithSession(next))).rejects.toThrow(/already used/);
    });

    it('refuse a session granted for another node or another credential', async () => {
      const forNode2 = trackerSessionHeader(sessions.grant('node-2', 'cred-1'));
      await expect(proofs.authenticate(announceWithSession(forNode2))).rejects.toThrow(/tracker session refused/);
      const forCred2 = trackerSessionHeader(sessions.grant('node-1', 'cred-2'));
      await expect(proofs.authenticate(announceWithSession(forCred2))).rejects.toThrow(/tracker session refused/);
      const mine = trackerSessionHeader(sessions.grant('node-2', 'cred-2'));
      await expect(proofs.authenticate(announceWithSession(mine, 'cred-2'))).resolves.toMatchObject({ sub: 'node-2' });
    });

    it('authenticate announces only', async () => {
      const header = trackerSessionHeader(sessions.grant('node-1', 'cred-1'));
      await expect(proofs.authenticate(announceWithSession(header, 'cred-1', '/api/nodes/heartbeat'))).rejects.toThrow(
        /authenticates POST \/api\/tracker\/announce only/,
      );
      const asGet = { ...announceWithSession(header), method: 'GET' };
      await expect(proofs.authenticate(asGet)).rejects.toThrow(/only/);
    });

    it('refuse an expired grant, and a grant made with another server secret', async () => {
      const old = sessions.grant(
        'node-1',
        'cred-1',
        Math.floor(Date.now() / 1000) - TRACKER_SESSION.lifetimeSeconds - 1,
      );
      await expect(proofs.authenticate(announceWithSession(trackerSessionHeader(old)))).rejects.toThrow(/expired/);
      const otherSecret = {
        findOneBy: async () => ({ name: 'tracker-session-hmac', value: 'b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA' }),
      };
      const other = new TrackerSessionService(otherSecret as unknown as Repository<ServerSecret>);
      await other.onModuleInit();
      const forged = trackerSessionHeader(other.grant('node-1', 'cred-1'));
      await expect(proofs.authenticate(announceWithSession(forged))).rejects.toThrow(/not valid for this credential/);
    });

    it('step aside for a proof: a request carrying one is checked by its proof', async () => {
      const r = await request({ url: TRACKER_SESSION.path, key: nodeKey().key });
      const header = trackerSessionHeader(sessions.grant('node-1', 'cred-1'));
      const both = { ...r, headers: { ...r.headers, [TRACKER_SESSION.header]: header } };
      await expect(proofs.authenticate(both)).rejects.toThrow(/not signed by the key/);
    });
  });
});
