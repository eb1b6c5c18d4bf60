import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { LIMITS } from './limits.js';
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

/** The fields the content id covers or that must agree with them. */
const CONTENT_FIELDS: string[] = ['contentId', 'totalSize', 'pieceSize', 'files', 'pieceHashes'];

/**
 * Whether a manifest may hold `value` in `field` with every other field as in `original`,
 * from the format's rules rather than its schema; 'either' where the rule (URL syntax,
 * the shape of a listed peer) is left to the parser.
 */
function mayHold(field: keyof Manifest, value: unknown, original: Manifest): 'accept' | 'refuse' | 'either' {
  const yes = (ok: boolean) => (ok ? 'accept' : 'refuse');
  const text = (min: number, max: number) => typeof value === 'string' && value.length >= min && value.length <= max;
  switch (field) {
    case 'format':
      return yes(value === 'shoal-manifest');
    case 'version':
      return yes(value === 1);
    case 'resourceId':
      return yes(text(1, 64));
    case 'name':
      return yes(text(1, LIMITS.maxNameLength));
    case 'description':
      return yes(text(0, LIMITS.maxDescriptionLength));
    case 'ticket':
      return yes(text(1, 8192));
    case 'issuedAt':
      return yes(typeof value === 'string');
    case 'serverUrl':
    case 'trackerUrl':
      return text(1, 2048) ? 'either' : 'refuse';
    case 'seeds':
    case 'peers':
      if (!Array.isArray(value) || value.length > LIMITS.maxPeersPerAnnounce) return 'refuse';
      if (value.length === 0) return 'accept';
      return value.every((p) => typeof p === 'object' && p !== null && !Array.isArray(p)) ? 'either' : 'refuse';
    case 'contentId':
    case 'totalSize':
    case 'pieceSize':
    case 'files':
    case 'pieceHashes':
      // Any change breaks the sums, the piece count or the content id.
      return yes(isDeepStrictEqual(value, original[field]));
    default:
      throw new Error(`no rule for manifest field ${String(field satisfies never)}`);
  }
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

  it('accepts a mutated field only when it holds what that field may hold, as is; else refuses naming it', () => {
    const original = validManifest();
    const fields = Object.keys(original) as (keyof Manifest)[];
    const edges = fc.constantFrom<unknown>(
      '',
      'x',
      ' spaced out ',
      'x'.repeat(LIMITS.maxNameLength + 1),
      'x'.repeat(LIMITS.maxDescriptionLength + 1),
      'http://example.com/',
      0,
      1,
      -1,
      null,
      undefined,
      [],
      {},
    );
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.oneof(fc.anything(), edges), (field, value) => {
        const text = JSON.stringify({ ...original, [field]: value });
        // What the file holds: JSON drops undefined and turns NaN into null.
        const inFile = (JSON.parse(text) as Record<string, unknown>)[field];
        let refusal: ManifestError | null = null;
        try {
          // Nothing coerced, defaulted or dropped: an accepted manifest is the file as written.
          expect(parseManifest(text)).toEqual(JSON.parse(text));
        } catch (err) {
          if (!(err instanceof ManifestError)) throw err;
          refusal = err;
        }
        const verdict = mayHold(field, inFile, original);
        const outcome = refusal ? 'refuse' : 'accept';
        if (verdict !== 'either') expect({ field, inFile, outcome }).toEqual({ field, inFile, outcome: verdict });
        if (!refusal && (field === 'serverUrl' || field === 'trackerUrl'))
          expect(URL.canParse(inFile as string)).toBe(true);
        if (refusal) {
          // The content fields bind each other (sizes, piece count, content id): any of them may be blamed.
          const blamable = CONTENT_FIELDS.includes(field) ? CONTENT_FIELDS : [field];
          const blamed = refusal.field;
          expect({ field, blamed }).toEqual({
            field,
            blamed: expect.stringMatching(new RegExp(`^(${blamable.join('|')})(\\.|$)`)),
          });
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a manifest larger than the cap before parsing it', () => {
    const huge = Buffer.alloc(97 * 1024 * 1024, 0x20);
    expect(() => parseManifest(huge)).toThrow(/larger than/);
  });
});
