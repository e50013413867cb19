// Decides what to do when the renderer dies: reload it, but only a bounded number of times per
// window of time; past that, exit non-zero and let the service manager restart the whole kiosk.

export interface CrashGuardOptions {
  reloadsMax: number;
  windowMs: number;
}

export const DEFAULT_CRASH_GUARD: CrashGuardOptions = { reloadsMax: 5, windowMs: 10 * 60_000 };

export type CrashDecision = 'reload' | 'exit';

export class CrashGuard {
  private readonly options: CrashGuardOptions;
  private readonly recentMs: number[] = [];

  constructor(options: CrashGuardOptions = DEFAULT_CRASH_GUARD) {
    this.options = options;
  }

  record(nowMs: number): CrashDecision {
    while (this.recentMs.length > 0 && (this.recentMs[0] ?? 0) <= nowMs - this.options.windowMs)
      this.recentMs.shift();
    if (this.recentMs.length >= this.options.reloadsMax) return 'exit';
    this.recentMs.push(nowMs);
    return 'reload';
  }
}
