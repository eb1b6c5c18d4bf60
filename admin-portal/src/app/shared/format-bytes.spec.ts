import { exactBytes, formatBytes } from './format-bytes';

describe('formatBytes', () => {
  it('keeps small sizes in bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('uses binary units with up to three significant digits', () => {
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(10 * 1024 * 1024 + 300 * 1024)).toBe('10.3 MiB');
    expect(formatBytes(1610612736)).toBe('1.5 GiB');
    expect(formatBytes(250 * 1024 ** 4)).toBe('250 TiB');
  });

  it('shows a dash for a missing value', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(undefined)).toBe('—');
  });

  it('spells out exact bytes with separators', () => {
    expect(exactBytes(1610612736)).toBe('1,610,612,736 bytes');
    expect(exactBytes(null)).toBe('');
  });
});
