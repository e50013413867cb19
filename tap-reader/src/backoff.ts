// Retry delays for reconnecting to pcscd: exponential, capped, with jitter so many kiosks restarted
// together do not hammer in step.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** Delay before retry number `attempt` (1-based): half fixed, half random ("equal jitter"). */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceilingMs = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.round(ceilingMs / 2 + random() * (ceilingMs / 2));
}
