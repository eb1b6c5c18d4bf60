import { outputDirFor, shoalGetCommand } from './shoal-command';

describe('shoalGetCommand', () => {
  it('names the resource id and a shell-safe output folder', () => {
    expect(shoalGetCommand({ id: 'r-123', name: 'Ubuntu 24.04 (desktop).iso' })).toBe(
      'shoal get r-123 -o ./Ubuntu-24.04-desktop-.iso',
    );
  });

  it('never produces quotes, spaces or shell metacharacters', () => {
    const dir = outputDirFor(`a'b"c $(rm -rf) & d;e|f`);
    expect(dir).toMatch(/^\.\/[\w.-]+$/);
  });

  it('falls back when nothing usable is left', () => {
    expect(outputDirFor('***')).toBe('./download');
  });
});
