import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.ts';

const options = { initialMs: 500, maxMs: 30_000 };

describe('backoffDelayMs', () => {
  it('doubles per failure, between half and all of the ceiling', () => {
    expect(backoffDelayMs(1, options, () => 0)).toBe(250);
    expect(backoffDelayMs(1, options, () => 1)).toBe(500);
    expect(backoffDelayMs(3, options, () => 0)).toBe(1_000);
    expect(backoffDelayMs(3, options, () => 1)).toBe(2_000);
  });

  it('is capped however many failures there were', () => {
    expect(backoffDelayMs(1_000, options, () => 1)).toBe(30_000);
    expect(backoffDelayMs(0, options, () => 1)).toBe(500);
  });
});
