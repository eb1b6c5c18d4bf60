import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export type Ed25519PublicJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string };

/** The node's long-term Ed25519 key: its public half is bound into the node credential (`cnf.jwk`). */
export class NodeKey {
  private constructor(readonly privateKey: KeyObject) {}

  static generate(): NodeKey {
    return new NodeKey(generateKeyPairSync('ed25519').privateKey);
  }

  static fromPem(pem: string): NodeKey {
    return new NodeKey(createPrivateKey(pem));
  }

  toPem(): string {
    return this.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  publicJwk(): Ed25519PublicJwk {
    const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' });
    return { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) };
  }

  sign(data: Buffer): Buffer {
    return sign(null, data, this.privateKey);
  }
}

/** Checks an Ed25519 signature against a public key given as a JWK. */
export function verifyWithJwk(jwk: Ed25519PublicJwk, data: Buffer, signature: Buffer): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}
