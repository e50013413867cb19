// Jittered exponential backoff for resending taps: consecutive failures (a `retry` ack, an ack timeout)
// double the wait up to a cap, and jitter keeps a fleet of kiosks that lost the cloud together from
// coming back in step.
import { assert } from '@redtap/shared';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** Delay before attempt `failures` (1-based): half fixed, half random ("equal jitter"). */
export function backoffDelayMs(failures: number, options: BackoffOptions, random: () => number): number {
  assert(options.initialMs >= 1 && options.maxMs >= options.initialMs, 'backoff bounds out of order');
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceilingMs = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.round(ceilingMs / 2 + random() * (ceilingMs / 2));
}
