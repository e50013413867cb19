// The time-zone label shown beside schedule inputs and campaign times.
import { describe, expect, it } from 'vitest';
import { timeZoneLabel } from '../src/lib/format.ts';

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
