import { FormControl } from '@angular/forms';
import { LIMITS } from '@shoal/contract/limits';
import { notBlank, splitTags, validTags } from './form-rules';

describe('form rules (the server’s, from contract/)', () => {
  it('refuses whitespace only, and leaves empty to required', () => {
    expect(notBlank(new FormControl(' \t '))).toEqual({ blank: true });
    expect(notBlank(new FormControl(''))).toBeNull();
    expect(notBlank(new FormControl(' a '))).toBeNull();
  });

  it('checks each tag against the tag pattern and their number against the limit', () => {
    expect(validTags(new FormControl(['linux', 'Win-x64', 'größe']))).toBeNull();
    expect(validTags(new FormControl(['ok', 'not ok']))).toEqual({ badTag: 'not ok' });
    expect(validTags(new FormControl(['x'.repeat(LIMITS.maxTagLength + 1)]))).toEqual({
      badTag: 'x'.repeat(LIMITS.maxTagLength + 1),
    });
    const many = Array.from({ length: LIMITS.maxTags + 1 }, (_, i) => `t${i}`);
    expect(validTags(new FormControl(many))).toEqual({ tooManyTags: LIMITS.maxTags });
  });

  it('splits typed tags on commas and spaces, dropping repeats of any case', () => {
    expect(splitTags('linux, qa  GPU,,', ['Qa'])).toEqual(['linux', 'GPU']);
  });
});
