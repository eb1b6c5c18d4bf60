const STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/**
 * A tick step for a bytes axis that reads well in binary units (1 GiB, 2 GiB, 5 GiB...
 * rather than 1.86 GiB), giving at most `maxTicks` ticks up to `max`.
 */
export function byteAxisStep(max: number, maxTicks = 6): number | undefined {
  if (!(max > 0)) return undefined;
  const unit = 1024 ** Math.min(5, Math.max(0, Math.floor(Math.log(max) / Math.log(1024))));
  for (const step of STEPS) {
    if (max / (step * unit) <= maxTicks) return step * unit;
  }
  return 1024 * unit;
}
