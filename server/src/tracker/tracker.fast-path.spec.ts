import 'reflect-metadata';
import { BadRequestException } from '@nestjs/common';
import type { AnnounceResponse, PeerInfo } from '@shoal/contract';
import { getMetadataStorage } from 'class-validator';
import { createValidationPipe } from '../common/validation.js';
import { announceJson } from './announce-json.js';
import { AnnounceDto } from './dto/announce.dto.js';
import { announceFromBody } from './tracker.fast-path.js';

const pipe = createValidationPipe();

/** What the Nest route's validation pipe makes of a body: the DTO's fields, or null for a 400. */
async function viaPipe(body: unknown): Promise<Record<string, unknown> | null> {
  try {
    const dto = await pipe.transform(body, { type: 'body', metatype: AnnounceDto });
    return withoutUndefined({ ...dto });
  } catch (err) {
    if (err instanceof BadRequestException) return null;
    throw err;
  }
}

function withoutUndefined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const valid = {
  resourceId: '4b0c7a52-8d1e-4c3f-9a6b-2f5e8d7c1a90',
  event: 'update',
  left: 1048576,
  uploaded: 0,
  downloaded: 0,
};

const oddValues = [undefined, null, 0, -1, 1, 1.5, -0, 2 ** 53, 1e300, NaN, '', '1', 'x', true, [], {}, ['1']];
const fieldValues: Record<string, unknown[]> = {
  resourceId: [...oddValues, valid.resourceId.toUpperCase(), 'not-a-uuid', `${valid.resourceId} `],
  event: [...oddValues, 'started', 'stopped', 'completed', 'update', 'Update', 'paused'],
  left: [...oddValues, 0, 4 * 2 ** 40, 2 ** 60],
  uploaded: [...oddValues, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2],
  downloaded: [...oddValues, Number.MAX_SAFE_INTEGER],
  addresses: [
    ...oddValues,
    ['10.0.0.1:7070'],
    ['[::1]:7070', 'host.example:1'],
    ['10.0.0.1:0'],
    ['10.0.0.1:70700'],
    ['10.0.0.1'],
    [7070],
    ['a'.repeat(296) + ':7070'],
    ['a'.repeat(297) + ':7070'],
    Array.from({ length: 16 }, (_, i) => `10.0.0.${i}:7070`),
    Array.from({ length: 17 }, (_, i) => `10.0.0.${i}:7070`),
  ],
  numWant: [...oddValues, 50, 51, 200],
};

describe('announceFromBody (the fast path) and AnnounceDto (the Nest route)', () => {
  it('checks the same fields as the DTO: a rule added to AnnounceDto must be added to announceFromBody', () => {
    const fields = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(AnnounceDto, '', true, false)
        .map((m) => m.propertyName),
    );
    expect([...fields].sort()).toEqual(Object.keys(fieldValues).sort());
  });

  it('accepts exactly the bodies the validation pipe accepts, with the same values', async () => {
    const bodies: unknown[] = [valid, { ...valid, fromANewerAgent: { x: 1 } }, null, [], 'x', 3, [valid]];
    for (const [field, values] of Object.entries(fieldValues)) {
      for (const value of values) bodies.push({ ...valid, [field]: value });
    }
    for (const numWant of fieldValues.numWant) {
      for (const addresses of fieldValues.addresses) bodies.push({ ...valid, numWant, addresses });
    }
    let accepted = 0;
    for (const body of bodies) {
      const fast = announceFromBody(body);
      const nest = await viaPipe(body);
      expect({ body, fast: fast && withoutUndefined(fast) }).toEqual({ body, fast: nest });
      if (fast) accepted++;
    }
    expect(accepted).toBeGreaterThan(50);
  });
});

describe('announceJson', () => {
  const peer = (i: number, site: string | null): PeerInfo => ({
    nodeId: `node-${i}`,
    name: `n\u00e9 "${i}"\n`,
    role: i % 2 ? 'seed' : 'client',
    site,
    addresses: [`10.0.0.${i}:7070`, '[::1]:1'],
    complete: i % 3 === 0,
  });

  it('is JSON.stringify of the answer, byte for byte, also when peer entries are reused', () => {
    const peers = [peer(1, 'fra'), peer(2, null), peer(3, 'nyc')];
    const answers: AnnounceResponse[] = [
      { intervalSeconds: 30, peers: [] },
      { intervalSeconds: 30, peers },
      { intervalSeconds: 30, peers: [peers[2], peers[0]] },
      { intervalSeconds: 45, peers: [peers[0]] },
    ];
    for (const answer of answers) expect(announceJson(answer)).toBe(JSON.stringify(answer));
  });
});
