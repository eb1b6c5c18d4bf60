import fc from 'fast-check';
import { computeContentId } from './metadata.js';
import { ManifestError, parseManifest, type Manifest } from './manifest.js';

/** Long randomized runs on demand: SHOAL_FUZZ_RUNS=100000 npm test -w contract. */
const RUNS = Number(process.env.SHOAL_FUZZ_RUNS ?? 300);

function validManifest(): Manifest {
  const files = [
    { path: 'kit/a.bin', size: 20_000 },
    { path: 'kit/empty', size: 0 },
    { path: 'kit/docs/b.txt', size: 15_000 },
  ];
  const pieceHashes = ['a', 'b', 'c'].map((c) => c.repeat(64));
  const meta = { totalSize: 35_000, pieceSize: 16384, files, pieceHashes };
  return {
    format: 'shoal-manifest',
    version: 1,
    resourceId: '8c6f0b1e-0000-4000-8000-000000000001',
    contentId: computeContentId(meta),
    name: 'Kit',
    description: '',
    ...meta,
    serverUrl: 'http://localhost:3000',
    trackerUrl: 'http://localhost:3000/api/tracker/announce',
    seeds: [{ nodeId: 'n1', name: 'seed', role: 'seed', site: null, addresses: ['10.0.0.1:7070'], complete: true }],
    peers: [],
    ticket: 'x.y.z',
    issuedAt: new Date(0).toISOString(),
  };
}

/** parseManifest must either return a manifest or throw ManifestError: never anything else. */
function parsesOrRefusesCleanly(input: unknown): void {
  try {
    parseManifest(input as string);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
  }
}

describe('parseManifest', () => {
  it('accepts a consistent manifest', () => {
    expect(parseManifest(JSON.stringify(validManifest())).name).toBe('Kit');
  });

  it('names the field at fault', () => {
    const m = validManifest();
    expect(() => parseManifest({ ...m, files: [{ path: '../x', size: 1 }] })).toThrow(/files\.0\.path/);
    expect(() => parseManifest({ ...m, totalSize: 1 })).toThrow(/totalSize/);
    expect(() => parseManifest({ ...m, contentId: 'f'.repeat(64) })).toThrow(/contentId/);
    expect(() => parseManifest('{"format":')).toThrow(/not JSON/);
  });

  it('ends random bytes in a clean error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => parsesOrRefusesCleanly(Buffer.from(bytes))),
      { numRuns: RUNS },
    );
  });

  it('ends random JSON values in a clean error', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => parsesOrRefusesCleanly(JSON.stringify(v))),
      { numRuns: RUNS },
    );
  });

  it('ends truncated manifests in a clean error', () => {
    const text = JSON.stringify(validManifest());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 1 }), (cut) => {
        expect(() => parseManifest(text.slice(0, cut))).toThrow(ManifestError);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses or accepts consistently any single mutated field, never crashing', () => {
    const fields = Object.keys(validManifest()) as (keyof Manifest)[];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.anything(), (field, value) => {
        const m = { ...validManifest(), [field]: value } as Record<string, unknown>;
        parsesOrRefusesCleanly(JSON.stringify(m));
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a manifest larger than the cap before parsing it', () => {
    const huge = Buffer.alloc(97 * 1024 * 1024, 0x20);
    expect(() => parseManifest(huge)).toThrow(/larger than/);
  });
});
