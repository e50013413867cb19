// The Phones page's progress on a phone revocation: published and confirmed against the active screens
// now, bars full only when every screen counts, and a poll that stops only when both figures are
// complete, slowing down (never stopping) once they stand still.
import { describe, expect, it } from 'vitest';
import {
  FAST_POLL_MS,
  pollIntervalMs,
  positiveIntegerOf,
  revocationFigures,
  SERIAL_MAX,
  SLOW_POLL_MS,
  STALL_AFTER_MS,
  WALLET_ID_MAX,
} from '../src/lib/revocation-progress.ts';

describe('revocation figures', () => {
  it('counts published and confirmed screens against the active screens', () => {
    const figures = revocationFigures(1_000, { screens: 1_000, applied: 990, retrying: 3, confirmed: 412 });
    expect(figures).toMatchObject({
      known: true,
      total: 1_000,
      published: 990,
      confirmed: 412,
      retrying: 3,
      publishedPercent: 99,
      confirmedPercent: 41,
      publishedComplete: false,
      confirmedComplete: false,
    });
  });

  it('shows a full bar only when every screen counts', () => {
    const almost = revocationFigures(1_000, { screens: 1_000, applied: 999, retrying: 0, confirmed: 999 });
    expect(almost.publishedPercent).toBe(99);
    expect(almost.publishedComplete).toBe(false);
    const all = revocationFigures(1_000, { screens: 1_000, applied: 1_000, retrying: 0, confirmed: 1_000 });
    expect(all).toMatchObject({ publishedPercent: 100, publishedComplete: true, confirmedComplete: true });
  });

  it('uses the queued count until the first reply, and the fleet as it is after', () => {
    expect(revocationFigures(7, undefined)).toMatchObject({
      known: false,
      total: 7,
      published: 0,
      confirmed: 0,
      publishedPercent: 0,
    });
    // A screen revoked meanwhile: 6 active screens, all of them published.
    expect(revocationFigures(7, { screens: 6, applied: 6, retrying: 0, confirmed: 2 })).toMatchObject({
      total: 6,
      published: 6,
      publishedComplete: true,
      confirmed: 2,
      confirmedPercent: 33,
    });
  });

  it('reads an unasked confirmation as none, and no screens as complete', () => {
    expect(revocationFigures(3, { screens: 3, applied: 3, retrying: 0, confirmed: null }).confirmed).toBe(0);
    expect(revocationFigures(0, { screens: 0, applied: 0, retrying: 0, confirmed: 0 })).toMatchObject({
      publishedPercent: 100,
      confirmedPercent: 100,
      publishedComplete: true,
      confirmedComplete: true,
    });
  });
});

describe('revocation progress poll', () => {
  const figures = (applied: number, confirmed: number) =>
    revocationFigures(10, { screens: 10, applied, retrying: 0, confirmed });

  it('asks every 2 s while the figures move, and stops when both are complete', () => {
    expect(pollIntervalMs(revocationFigures(10, undefined), 0)).toBe(FAST_POLL_MS);
    expect(pollIntervalMs(figures(4, 0), 0)).toBe(FAST_POLL_MS);
    expect(pollIntervalMs(figures(10, 9), 0)).toBe(FAST_POLL_MS);
    expect(pollIntervalMs(figures(10, 10), 0)).toBe(false);
  });

  it('slows down, never stops, when confirmation stands still below the total', () => {
    expect(pollIntervalMs(figures(10, 7), STALL_AFTER_MS - 1)).toBe(FAST_POLL_MS);
    expect(pollIntervalMs(figures(10, 7), STALL_AFTER_MS)).toBe(SLOW_POLL_MS);
    expect(pollIntervalMs(figures(8, 7), 10 * STALL_AFTER_MS)).toBe(SLOW_POLL_MS);
  });
});

describe('wallet id and serial fields', () => {
  it('take positive whole numbers within the API bounds', () => {
    expect(positiveIntegerOf(' 42 ', WALLET_ID_MAX)).toBe(42);
    expect(positiveIntegerOf('0', WALLET_ID_MAX)).toBeNull();
    expect(positiveIntegerOf('-3', WALLET_ID_MAX)).toBeNull();
    expect(positiveIntegerOf('1.5', WALLET_ID_MAX)).toBeNull();
    expect(positiveIntegerOf('1e3', WALLET_ID_MAX)).toBeNull();
    expect(positiveIntegerOf('', WALLET_ID_MAX)).toBeNull();
    expect(positiveIntegerOf(String(SERIAL_MAX), SERIAL_MAX)).toBe(SERIAL_MAX);
    expect(positiveIntegerOf(String(SERIAL_MAX + 1), SERIAL_MAX)).toBeNull();
    expect(positiveIntegerOf('9007199254740993', WALLET_ID_MAX)).toBeNull();
  });
});
