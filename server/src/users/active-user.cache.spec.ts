import { ACTIVE_USER_TTL_MS, ActiveUserCache } from './active-user.cache.js';

describe('ActiveUserCache', () => {
  const alice = { id: 'u1', username: 'alice', role: 'admin' as const, sessionGeneration: 0 };
  let now = 1_000_000;
  const cache = () => new ActiveUserCache(() => now);

  it('answers an account for ACTIVE_USER_TTL_MS after it was read, then no more', () => {
    const c = cache();
    c.set(alice, c.mark());
    now += ACTIVE_USER_TTL_MS - 1;
    expect(c.get('u1')).toEqual(alice);
    now += 1;
    expect(c.get('u1')).toBeUndefined();
  });

  it('forgets an account at once when it changes', () => {
    const c = cache();
    c.set(alice, c.mark());
    c.forget('u1');
    expect(c.get('u1')).toBeUndefined();
  });

  it('does not keep a row read while an account changed (it may be the old row)', () => {
    const c = cache();
    const mark = c.mark();
    c.forget('u1'); // an update committed while the read was under way
    c.set(alice, mark);
    expect(c.get('u1')).toBeUndefined();
    c.set(alice, c.mark());
    expect(c.get('u1')).toEqual(alice);
  });

  it('keeps only the fields the guard needs', () => {
    const c = cache();
    c.set({ ...alice, passwordHash: 'x' } as typeof alice, c.mark());
    expect(c.get('u1')).toEqual(alice);
  });
});
