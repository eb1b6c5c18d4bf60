import { byteAxisStep } from './byte-axis';

describe('byteAxisStep', () => {
  const GiB = 1024 ** 3;
  const MiB = 1024 ** 2;

  it('steps in whole binary units', () => {
    expect(byteAxisStep(14 * GiB)).toBe(5 * GiB);
    expect(byteAxisStep(5 * GiB)).toBe(1 * GiB);
    expect(byteAxisStep(300 * MiB)).toBe(50 * MiB);
    expect(byteAxisStep(900)).toBe(200);
  });

  it('never gives more than the asked number of ticks', () => {
    for (const max of [1, 999, 1023 * MiB, 7.3 * GiB, 123 * 1024 ** 4]) {
      expect(max / byteAxisStep(max)!).toBeLessThanOrEqual(6);
    }
  });

  it('leaves an empty axis to the chart', () => {
    expect(byteAxisStep(0)).toBeUndefined();
  });
});
