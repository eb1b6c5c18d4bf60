import { commandGroups } from './command-words';

describe('commandGroups', () => {
  it('keeps each flag with its value and each operator with the next word', () => {
    const command =
      'shoal enroll --server https://shoal.example --token shoal-enroll-abc --role seed --name "$(hostname)" --listen 0.0.0.0:7070 && shoal serve';
    const groups = commandGroups(command);
    expect(groups).toEqual([
      'shoal',
      'enroll',
      '--server https://shoal.example',
      '--token shoal-enroll-abc',
      '--role seed',
      '--name "$(hostname)"',
      '--listen 0.0.0.0:7070',
      '&& shoal',
      'serve',
    ]);
    expect(groups.join(' ')).toBe(command);
  });

  it('leaves a flag without a value on its own, and keeps quoted spaces inside one word', () => {
    expect(commandGroups('curl -fsSLO https://x/shoal && chmod +x shoal')).toEqual([
      'curl',
      '-fsSLO https://x/shoal',
      '&& chmod',
      '+x',
      'shoal',
    ]);
    expect(commandGroups('shoal login --verbose --user "a b"')).toEqual([
      'shoal',
      'login',
      '--verbose',
      '--user "a b"',
    ]);
  });
});
