import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';

/**
 * Small values the server hands out and must get back unchanged and unread (the login
 * cookie with state, nonce and PKCE verifier; the device handle; the session handoff):
 * encrypted and authenticated (JWE, dir + A256GCM) with a key every instance derives from
 * the same server secret, so any instance can open what another sealed, and nothing needs
 * to be stored. Each `purpose` has its own key, so one kind can never be replayed as another.
 */
export class SealedValues {
  private readonly keys = new Map<string, Uint8Array>();

  constructor(private readonly secret: string) {}

  async seal(purpose: string, payload: JWTPayload, ttlSeconds: number): Promise<string> {
    return new EncryptJWT(payload)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .encrypt(this.key(purpose));
  }

  /** The payload, or null when the value is not one we sealed for `purpose`, or has expired. */
  async open(purpose: string, value: string | undefined): Promise<JWTPayload | null> {
    if (!value || value.length > 4096) return null;
    try {
      const { payload } = await jwtDecrypt(value, this.key(purpose), {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      return payload;
    } catch {
      return null;
    }
  }

  private key(purpose: string): Uint8Array {
    let key = this.keys.get(purpose);
    if (!key) {
      key = new Uint8Array(hkdfSync('sha256', this.secret, 'shoal-sealed-value', purpose, 32));
      this.keys.set(purpose, key);
    }
    return key;
  }
}
