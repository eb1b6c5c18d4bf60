import { HandshakeGate, sourceOf } from './handshake-gate.js';

const limits = { running: 3, runningPerAddress: 2, perAddress: 3, queued: 4, queueWaitMs: 200 };

/** Admits a dialer and records what happened to it. */
function dialer(gate: HandshakeGate, address: string) {
  const d = {
    started: false,
    dropped: null as string | null,
    done: (): void => undefined,
    cancel: (): void => undefined,
  };
  d.cancel = gate.admit(
    address,
    (done) => {
      d.started = true;
      d.done = done;
    },
    (reason) => (d.dropped = reason),
  );
  return d;
}

describe('handshake gate', () => {
  it('lets one address run only its share at once; its next dialers wait for a slot instead of being dropped', () => {
    const gate = new HandshakeGate(limits);
    const [a, b, c] = [dialer(gate, '10.0.0.1'), dialer(gate, '10.0.0.1'), dialer(gate, '10.0.0.1')];
    expect([a.started, b.started, c.started]).toEqual([true, true, false]);
    expect(c.dropped).toBeNull();
    a.done();
    expect(c.started).toBe(true);
    expect(gate.counts()).toEqual({ running: 2, queued: 0 });
  });

  it('drops a dialer beyond its address share of running plus waiting', () => {
    const gate = new HandshakeGate(limits);
    for (let i = 0; i < 3; i++) dialer(gate, '10.0.0.1');
    expect(dialer(gate, '10.0.0.1').dropped).toBe('too many connections from 10.0.0.1');
    // Another address is not affected.
    expect(dialer(gate, '10.0.0.2').started).toBe(true);
  });

  it('serves waiting dialers first come, first served, skipping addresses still at their share', () => {
    const gate = new HandshakeGate(limits);
    const running = [dialer(gate, '10.0.0.1'), dialer(gate, '10.0.0.1'), dialer(gate, '10.0.0.2')];
    const waitingA = dialer(gate, '10.0.0.1');
    const waitingB = dialer(gate, '10.0.0.3');
    expect(gate.counts()).toEqual({ running: 3, queued: 2 });
    // A slot frees up from 10.0.0.2: 10.0.0.1 still runs two, so the 10.0.0.3 dialer behind it goes first.
    running[2].done();
    expect([waitingA.started, waitingB.started]).toEqual([false, true]);
    running[0].done();
    expect(waitingA.started).toBe(true);
  });

  it('counts done once, however often it is called', () => {
    const gate = new HandshakeGate(limits);
    const a = dialer(gate, '10.0.0.1');
    a.done();
    a.done();
    expect(gate.counts().running).toBe(0);
    expect(
      [dialer(gate, '10.0.0.1'), dialer(gate, '10.0.0.1'), dialer(gate, '10.0.0.1')].map((d) => d.started),
    ).toEqual([true, true, false]);
  });

  it('drops a dialer that waited too long, one that finds the line full, and forgets one that hung up', async () => {
    const gate = new HandshakeGate(limits);
    for (const addr of ['10.0.0.1', '10.0.0.1', '10.0.0.2']) dialer(gate, addr);
    const waiting = ['10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'].map((a) => dialer(gate, a));
    expect(dialer(gate, '10.0.0.7').dropped).toBe('too many dialers waiting');
    waiting[0].cancel();
    expect(gate.counts().queued).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(waiting.slice(1).map((d) => d.dropped)).toEqual(Array(3).fill('waited too long for a handshake slot'));
    expect(waiting[0].dropped).toBeNull();
    expect(gate.counts()).toEqual({ running: 3, queued: 0 });
  });
});

describe('source of a dialer', () => {
  it('counts IPv4 addresses one by one, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(sourceOf('192.0.2.7')).toBe('192.0.2.7');
    expect(sourceOf('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(sourceOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceOf(undefined)).toBe('unknown');
  });
});
