// The time-zone label shown beside schedule inputs and campaign times, and counts that may be unknown.
import { describe, expect, it } from 'vitest';
import { formatCount, timeZoneLabel } from '../src/lib/format.ts';

describe('timeZoneLabel', () => {
  it('names the zone and its offset at that moment', () => {
    expect(timeZoneLabel(Date.UTC(2026, 0, 15), 'Asia/Shanghai')).toBe('Asia/Shanghai (GMT+8)');
    expect(timeZoneLabel(Date.UTC(2026, 6, 15), 'Europe/Berlin')).toBe('Europe/Berlin (GMT+2)');
    expect(timeZoneLabel(Date.UTC(2026, 0, 15), 'Europe/Berlin')).toBe('Europe/Berlin (GMT+1)');
  });

  it('uses the browser zone by default', () => {
    expect(timeZoneLabel()).toContain(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});

describe('formatCount', () => {
  it('shows an unknown count (null, as reports answer unique wallets past their bound) as —, never 0', () => {
    expect(formatCount(null, 'en')).toBe('—');
    expect(formatCount(0, 'en')).toBe('0');
    expect(formatCount(100_000, 'en')).toBe('100,000');
  });
});
