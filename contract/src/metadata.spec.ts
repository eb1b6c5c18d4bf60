import { computeContentId, metadataInconsistency, SplittingMetadataSchema } from './metadata.js';
import { unsafePathReason } from './paths.js';
import { choosePieceSize, piecesForSpans, fileSpans, pieceLength } from './pieces.js';

const hash = (c: string) => c.repeat(64);

describe('unsafePathReason', () => {
  it.each([
    ['/etc/passwd', 'absolute'],
    ['a/../b', '..'],
    ['..', '..'],
    ['C:/x', 'drive letter'],
    ['c:x', 'drive letter'],
    ['a\0b', 'NUL'],
    ['a\\b', 'separator'],
    ['a//b', 'empty'],
    ['', 'non-empty'],
    ['a\u0085b', 'control'],
    ['a\u009fb', 'control'],
    ['a\u007fb', 'control'],
    ['report\u202egpj.exe', 'bidirectional'],
    ['a\u2066b', 'bidirectional'],
    ['a\u200eb', 'bidirectional'],
    ['a\u200fb', 'bidirectional'],
    ['a\u061cb', 'bidirectional'],
    ['dir/CON', 'Windows device'],
    ['nul.txt', 'Windows device'],
    ['sub/Com1.tar.gz', 'Windows device'],
    ['lpt9', 'Windows device'],
    ['aux', 'Windows device'],
    ['prn.', 'end with'],
    ['dir./x', 'end with'],
    ['x/file ', 'end with'],
    ['a<b', '< > :'],
    ['a>b', '< > :'],
    ['dir/a:b', '< > :'],
    ['a"b', '< > :'],
    ['a|b', '< > :'],
    ['a?b', '< > :'],
    ['a*b', '< > :'],
    ['.shoal-partial/x/files/a', '.shoal-partial'],
    ['.shoal-partial', '.shoal-partial'],
  ])('refuses %j (%s)', (path, why) => {
    expect(unsafePathReason(path)).toContain(why);
  });

  it.each([
    'a',
    'dir/sub/file.bin',
    '.hidden',
    'a..b',
    'ünïcode/名前',
    'console.log',
    'com10',
    'lpt0.txt',
    'nul-device',
    'dir/.shoal-partial',
    '.shoal-partial2/x',
    'a b/c',
  ])('accepts %j', (path) => {
    expect(unsafePathReason(path)).toBeNull();
  });
});

describe('splitting metadata', () => {
  const meta = {
    totalSize: 40_000,
    pieceSize: 16384,
    files: [
      { path: 'a/one', size: 30_000 },
      { path: 'a/empty', size: 0 },
      { path: 'two', size: 10_000 },
    ],
    pieceHashes: [hash('a'), hash('b'), hash('c')],
  };

  it('accepts consistent metadata', () => {
    expect(SplittingMetadataSchema.safeParse(meta).success).toBe(true);
    expect(metadataInconsistency(meta)).toBeNull();
  });

  it('names the field whose size does not add up', () => {
    expect(metadataInconsistency({ ...meta, totalSize: 40_001 })?.field).toBe('totalSize');
  });

  it('names the piece hashes when their count is wrong', () => {
    expect(metadataInconsistency({ ...meta, pieceHashes: [hash('a')] })?.field).toBe('pieceHashes');
  });

  it('refuses duplicate paths and a file under a file', () => {
    expect(
      metadataInconsistency({ ...meta, files: [...meta.files.slice(0, 2), { path: 'a/one', size: 10_000 }] }),
    ).toEqual(expect.objectContaining({ field: 'files.2.path' }));
    expect(
      metadataInconsistency({ ...meta, files: [...meta.files.slice(0, 2), { path: 'a/one/x', size: 10_000 }] }),
    ).toEqual(expect.objectContaining({ field: 'files.2.path' }));
  });

  it('refuses a piece size that is not a power of two', () => {
    const result = SplittingMetadataSchema.safeParse({ ...meta, pieceSize: 20000 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual(['pieceSize']);
  });

  it('gives identical content the same id, whatever it is called, and other content another', () => {
    const id = computeContentId(meta);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(computeContentId({ ...meta })).toBe(id);
    expect(computeContentId({ ...meta, pieceHashes: [hash('a'), hash('b'), hash('d')] })).not.toBe(id);
    expect(
      computeContentId({
        ...meta,
        files: [
          { path: 'a/one', size: 30_000 },
          { path: 'two', size: 10_000 },
          { path: 'a/empty', size: 0 },
        ],
      }),
    ).not.toBe(id);
  });
});

describe('piece math', () => {
  it('chooses a power-of-two piece size giving at most ~2000 pieces', () => {
    expect(choosePieceSize(1000)).toBe(256 * 1024);
    expect(choosePieceSize(64 * 2 ** 20)).toBe(256 * 1024);
    expect(choosePieceSize(2 * 2 ** 30)).toBe(2 * 2 ** 20);
    expect(choosePieceSize(2 ** 40)).toBe(16 * 2 ** 20);
  });

  it('sizes the last piece as the remainder', () => {
    expect(pieceLength(0, 40_000, 16384)).toBe(16384);
    expect(pieceLength(2, 40_000, 16384)).toBe(40_000 - 2 * 16384);
  });

  it('maps files to the pieces that hold their bytes, skipping empty files', () => {
    const spans = fileSpans([
      { path: 'a', size: 16384 },
      { path: 'empty', size: 0 },
      { path: 'b', size: 2 },
    ]);
    expect([...piecesForSpans([spans[2]], 16384)]).toEqual([1]);
    expect([...piecesForSpans([spans[1]], 16384)]).toEqual([]);
    expect([...piecesForSpans([spans[0]], 16384)]).toEqual([0]);
  });
});
