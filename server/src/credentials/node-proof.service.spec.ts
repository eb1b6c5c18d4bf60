import { nodeProofHeaders, NODE_PROOF_REQUIRED_MESSAGE, type NodeCredentialClaims } from '@shoal/contract';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CredentialError, type CredentialsService } from './credentials.service.js';
import { NodeAuthError, NodeProofService } from './node-proof.service.js';

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

describe('NodeProofService', () => {
  let proofs: NodeProofService;
  beforeEach(() => (proofs = new NodeProofService(fakeCredentials, null)));

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
});
