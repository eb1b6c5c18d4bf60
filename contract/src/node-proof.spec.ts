import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import {
  NODE_PROOF,
  NodeProofError,
  credentialHash,
  dpopCredential,
  nodeProofHeaders,
  signNodeProof,
  verifyNodeProof,
  type NodeProofJwk,
} from './node-proof.js';

function keyPair(): { key: KeyObject; jwk: NodeProofJwk } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const x = String(createPublicKey(privateKey).export({ format: 'jwk' }).x);
  return { key: privateKey, jwk: { kty: 'OKP', crv: 'Ed25519', x } };
}

const credential = 'header.payload.signature';
const node = keyPair();
const request = { credential, key: node.jwk, method: 'POST', path: '/api/nodes/heartbeat' };

describe('node proofs', () => {
  it('accepts a proof made with the node key for this request and credential', async () => {
    const proof = await signNodeProof({ credential, key: node.key, method: 'post', url: '/api/nodes/heartbeat' });
    const claims = await verifyNodeProof(proof, request);
    expect(claims).toMatchObject({ htm: 'POST', htu: '/api/nodes/heartbeat', ath: credentialHash(credential) });
    expect(Buffer.from(claims.jti, 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it('gives every proof its own jti', async () => {
    const a = await verifyNodeProof(await signNodeProof({ ...request, key: node.key, url: request.path }), request);
    const b = await verifyNodeProof(await signNodeProof({ ...request, key: node.key, url: request.path }), request);
    expect(a.jti).not.toBe(b.jti);
  });

  it('names the path without query and compares it to the path without query', async () => {
    const proof = await signNodeProof({
      credential,
      key: node.key,
      method: 'GET',
      url: new URL('https://shoal.example:8443/api/nodes/manifests/x%20y?z=1'),
    });
    await expect(
      verifyNodeProof(proof, { ...request, method: 'GET', path: '/api/nodes/manifests/x%20y?other=2' }),
    ).resolves.toMatchObject({ htu: '/api/nodes/manifests/x%20y' });
  });

  it('refuses a proof signed by another key', async () => {
    const proof = await signNodeProof({ credential, key: keyPair().key, method: 'POST', url: request.path });
    await expect(verifyNodeProof(proof, request)).rejects.toThrow(/not signed by the key of this credential/);
  });

  it('refuses a proof made for another method or path', async () => {
    const proof = await signNodeProof({ credential, key: node.key, method: 'POST', url: request.path });
    await expect(verifyNodeProof(proof, { ...request, method: 'PUT' })).rejects.toThrow(/another request/);
    await expect(verifyNodeProof(proof, { ...request, path: '/api/tracker/announce' })).rejects.toThrow(
      /another request/,
    );
  });

  it('refuses a stale proof and one from the future', async () => {
    const proof = await signNodeProof({ credential, key: node.key, method: 'POST', url: request.path });
    const now = Math.floor(Date.now() / 1000);
    await expect(verifyNodeProof(proof, { ...request, now: now + NODE_PROOF.maxAgeSeconds + 2 })).rejects.toThrow(
      /too old/,
    );
    await expect(verifyNodeProof(proof, { ...request, now: now - NODE_PROOF.maxAgeSeconds - 2 })).rejects.toThrow(
      /too old/,
    );
  });

  it('refuses a proof made for another credential', async () => {
    const proof = await signNodeProof({
      credential: 'other.cred.ential',
      key: node.key,
      method: 'POST',
      url: request.path,
    });
    await expect(verifyNodeProof(proof, request)).rejects.toThrow(/another credential/);
  });

  it('refuses a JWS of another type or algorithm, and garbage', async () => {
    const claims = { htm: 'POST', htu: request.path, iat: Math.floor(Date.now() / 1000), jti: 'a'.repeat(22) };
    const untyped = await new SignJWT({ ...claims, ath: credentialHash(credential) })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .sign(node.key);
    await expect(verifyNodeProof(untyped, request)).rejects.toThrow(/not a node proof/);
    const hs = await new SignJWT({ ...claims, ath: credentialHash(credential) })
      .setProtectedHeader({ alg: 'HS256', typ: NODE_PROOF.typ })
      .sign(new Uint8Array(32));
    await expect(verifyNodeProof(hs, request)).rejects.toThrow(/algorithm HS256 refused/);
    await expect(verifyNodeProof('not-a-jws', request)).rejects.toBeInstanceOf(NodeProofError);
  });

  it('refuses a signed proof whose header asks for extensions, or whose segments are not plain base64url', async () => {
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const payload = b64({
      htm: 'POST',
      htu: request.path,
      iat: Math.floor(Date.now() / 1000),
      jti: 'a'.repeat(22),
      ath: credentialHash(credential),
    });
    const signedWith = (header: object) => {
      const input = `${b64(header)}.${payload}`;
      return `${input}.${sign(null, Buffer.from(input), node.key).toString('base64url')}`;
    };
    // The same bytes under a plain header verify: only the header makes the difference.
    await expect(verifyNodeProof(signedWith({ alg: 'EdDSA', typ: NODE_PROOF.typ }), request)).resolves.toBeDefined();
    await expect(
      verifyNodeProof(signedWith({ alg: 'EdDSA', typ: NODE_PROOF.typ, crit: ['exp'], exp: 1 }), request),
    ).rejects.toThrow(/header refused/);
    await expect(
      verifyNodeProof(signedWith({ alg: 'EdDSA', typ: NODE_PROOF.typ, b64: false }), request),
    ).rejects.toThrow(/header refused/);
    const good = signedWith({ alg: 'EdDSA', typ: NODE_PROOF.typ });
    await expect(verifyNodeProof(`${good}=`, request)).rejects.toThrow(/malformed/);
    await expect(verifyNodeProof(`${good}.x`, request)).rejects.toThrow(/malformed/);
    await expect(verifyNodeProof(good.replace('.', '+.'), request)).rejects.toThrow(/malformed/);
  });

  it('refuses, never throws anything else, for headers and claims of the wrong type', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const claims = {
      htm: 'POST',
      htu: request.path,
      iat: Math.floor(Date.now() / 1000),
      jti: 'a'.repeat(22),
      ath: credentialHash(credential),
    };
    const signed = (header: unknown, payload: unknown) => {
      const input = `${b64(header)}.${b64(payload)}`;
      return `${input}.${sign(null, Buffer.from(input), node.key).toString('base64url')}`;
    };
    const header = { alg: 'EdDSA', typ: NODE_PROOF.typ };
    const unsigned = `${b64({ alg: { toString: 1 } })}.${b64(claims)}.${'A'.repeat(86)}`;
    for (const proof of [
      unsigned,
      signed([1], claims),
      signed(null, claims),
      signed(header, [claims]),
      signed(header, { ...claims, htm: { toString: 1 } }),
      signed(header, { ...claims, iat: String(claims.iat) }),
      signed(header, { ...claims, jti: ['a'.repeat(22)] }),
    ]) {
      await expect(verifyNodeProof(proof, request)).rejects.toBeInstanceOf(NodeProofError);
    }
  });

  it('refuses a proof checked against a key that is not Ed25519', async () => {
    const proof = await signNodeProof({ credential, key: node.key, method: 'POST', url: request.path });
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(verifyNodeProof(proof, { ...request, key: publicKey })).rejects.toThrow(/not signed by the key/);
  });

  it('refuses a jti too short to be random', async () => {
    const proof = await new SignJWT({
      htm: 'POST',
      htu: request.path,
      iat: Math.floor(Date.now() / 1000),
      jti: 'abc',
      ath: credentialHash(credential),
    })
      .setProtectedHeader({ alg: 'EdDSA', typ: NODE_PROOF.typ })
      .sign(node.key);
    await expect(verifyNodeProof(proof, request)).rejects.toThrow(/jti/);
  });

  it('sends the credential under the DPoP scheme, never as a bearer token', async () => {
    const headers = await nodeProofHeaders({ credential, key: node.key, method: 'POST', url: request.path });
    expect(headers.authorization).toBe(`DPoP ${credential}`);
    expect(dpopCredential(headers.authorization)).toBe(credential);
    expect(dpopCredential(`Bearer ${credential}`)).toBe('');
    await expect(verifyNodeProof(headers.dpop, request)).resolves.toBeDefined();
  });
});
