import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';

/** Consistent splitting metadata for made-up content of the given file sizes. */
export function metadata(name: string, sizes: number[] = [40_000], pieceSize = 16384) {
  const files = sizes.map((size, i) => ({
    path: i === 0 ? `${name.replace(/[^a-z0-9]/gi, '_')}.bin` : `dir/file-${i}.bin`,
    size,
  }));
  const totalSize = sizes.reduce((a, b) => a + b, 0);
  const pieceCount = Math.ceil(totalSize / pieceSize);
  const salt = randomBytes(8).toString('hex');
  const pieceHashes = Array.from({ length: pieceCount }, (_, i) =>
    createHash('sha256').update(`${salt}-${i}`).digest('hex'),
  );
  return { name, description: `test resource ${name}`, totalSize, pieceSize, files, pieceHashes };
}

/** A node key pair as an agent makes one: Ed25519, public key as a JWK. */
export function nodeKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string };
  return { publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, privateKey };
}
