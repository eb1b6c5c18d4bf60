import { randomBytes } from 'node:crypto';
import { NODE_PROOF } from './node-proof.js';
import {
  TRACKER_SESSION,
  TrackerSessionError,
  trackerSessionHeader,
  verifyTrackerSessionHeader,
  type TrackerSessionGrant,
} from './tracker-session.js';

const now = 1_800_000_000;
const key = randomBytes(TRACKER_SESSION.keyBytes);
const grant: TrackerSessionGrant = { key: key.toString('base64url'), expiresAt: now + TRACKER_SESSION.lifetimeSeconds };
const keyFor = (exp: number) => (exp === grant.expiresAt ? key : randomBytes(TRACKER_SESSION.keyBytes));
const refused = (value: string, at = now, k = keyFor) => {
  try {
    verifyTrackerSessionHeader(value, k, at);
  } catch (err) {
    if (err instanceof TrackerSessionError) return err.message;
    throw err;
  }
  return 'accepted';
};

describe('tracker session header', () => {
  it('is accepted under the key of its grant, with a fresh jti each time', () => {
    const a = trackerSessionHeader(grant, now);
    const b = trackerSessionHeader(grant, now);
    expect(verifyTrackerSessionHeader(a, keyFor, now).exp).toBe(grant.expiresAt);
    expect(verifyTrackerSessionHeader(a, keyFor, now).jti).not.toBe(verifyTrackerSessionHeader(b, keyFor, now).jti);
  });

  it('is refused under any other key (another node, another credential, a forged expiry)', () => {
    const h = trackerSessionHeader(grant, now);
    expect(refused(h, now, () => randomBytes(32))).toMatch(/not valid/);
    const [, iat, jti, mac] = h.split('.');
    expect(refused(`${grant.expiresAt - 10}.${iat}.${jti}.${mac}`)).toMatch(/not valid/);
  });

  it('is refused when any signed part is changed', () => {
    const [exp, iat, jti, mac] = trackerSessionHeader(grant, now).split('.');
    expect(refused(`${exp}.${Number(iat) - 1}.${jti}.${mac}`)).toMatch(/not valid/);
    const otherJti = randomBytes(NODE_PROOF.jtiBytes).toString('base64url');
    expect(refused(`${exp}.${iat}.${otherJti}.${mac}`)).toMatch(/not valid/);
    const flipped = Buffer.from(mac, 'base64url');
    flipped[0] ^= 1;
    expect(refused(`${exp}.${iat}.${jti}.${flipped.toString('base64url')}`)).toMatch(/not valid/);
  });

  it('is refused once the grant has expired, and when the request is stale or from the future', () => {
    expect(refused(trackerSessionHeader(grant, grant.expiresAt), grant.expiresAt)).toMatch(/expired/);
    expect(refused(trackerSessionHeader(grant, now - NODE_PROOF.maxAgeSeconds - 1))).toMatch(/too old/);
    expect(refused(trackerSessionHeader(grant, now + NODE_PROOF.maxAgeSeconds + 1))).toMatch(/too old/);
    const far = { ...grant, expiresAt: now + TRACKER_SESSION.lifetimeSeconds + NODE_PROOF.maxAgeSeconds + 1 };
    expect(refused(trackerSessionHeader(far, now), now, () => key)).toMatch(/future/);
  });

  it('refuses malformed headers without throwing anything else', () => {
    for (const bad of [
      '',
      'x',
      '1.2.3.4',
      `${'9'.repeat(300)}`,
      '1.2.abcdefghijklmnopqrstuvwxyz.short',
      '.'.repeat(3),
    ]) {
      expect(refused(bad)).toMatch(/malformed/);
    }
  });
});
