import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatFen as sharedFormatFen } from '@redtap/shared';
import { formatFen } from './format-fen.ts';

describe('formatFen (renderer copy)', () => {
  it('formats like the shared formatter', () => {
    expect(formatFen(120)).toBe('¥1.20');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(123_456)).toBe('¥1,234.56');
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (fen) => {
        expect(formatFen(fen)).toBe(sharedFormatFen(fen));
      }),
      { numRuns: 5_000 },
    );
  });

  it('shows nothing for a non-integer instead of throwing in the renderer', () => {
    expect(formatFen(1.5)).toBe('');
    expect(formatFen(Number.NaN)).toBe('');
  });
});
