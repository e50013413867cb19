// One reader, two jobs (docs/tap-exchange.md §10.5): HCE reader polling for wallet phones, and Type 4
// tag emulation for phones without the app. The scheduler gives each a bounded time slice in turn, on
// injected timers. A slice's end asks its mode to stop; a tap or tag read in flight finishes within
// its own bounds (the exchange's budget, the tag session's), because the reader cannot do both at once.
import { assert } from '@redtap/shared';
import { runTagSession, type TagSessionOptions, type TagSessionResult } from './pn532-target.ts';
import { delay, systemTimers, type Timers } from './timers.ts';

export type ReaderMode = 'reader' | 'tag';

/**
 * Runs the reader in one mode until `signal` aborts (or sooner, when it has nothing more to do). Must
 * settle soon after the abort: the scheduler waits for it before the reader changes mode.
 */
export type ReaderModeRun = (signal: AbortSignal) => Promise<unknown>;

export type ReaderModeEvent =
  | { type: 'slice.start'; mode: ReaderMode; sliceMs: number }
  | { type: 'slice.end'; mode: ReaderMode; durationMs: number; runs: number; overrunMs: number }
  | { type: 'mode.error'; mode: ReaderMode; message: string }
  /** A mode still busy `overrunWarnMs` after its slice ended (once per slice). */
  | { type: 'slice.overrun'; mode: ReaderMode; overrunMs: number };

export interface ReaderModeSchedulerOptions {
  modes: Record<ReaderMode, ReaderModeRun>;
  timers?: Timers;
  readerSliceMs?: number;
  tagSliceMs?: number;
  /** A mode that returns before its slice ends is run again after this pause, so a fast return never spins. */
  restartDelayMs?: number;
  overrunWarnMs?: number;
  onEvent?: (event: ReaderModeEvent) => void;
}

/** Wallet phones are the main path: they get the longer share. */
export const READER_SLICE_MS_DEFAULT = 1500;
/** Long enough for a phone's field to activate the tag; a read already started continues past it. */
export const TAG_SLICE_MS_DEFAULT = 1000;
export const MODE_RESTART_DELAY_MS_DEFAULT = 50;
export const SLICE_OVERRUN_WARN_MS_DEFAULT = 2500;

export class ReaderModeScheduler {
  private readonly options: ReaderModeSchedulerOptions;
  private readonly timers: Timers;
  private readonly sliceMs: Record<ReaderMode, number>;
  private running = false;
  private slice: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private currentMode: ReaderMode | null = null;

  constructor(options: ReaderModeSchedulerOptions) {
    this.options = options;
    this.timers = options.timers ?? systemTimers;
    this.sliceMs = {
      reader: options.readerSliceMs ?? READER_SLICE_MS_DEFAULT,
      tag: options.tagSliceMs ?? TAG_SLICE_MS_DEFAULT,
    };
    assert(this.sliceMs.reader > 0 && this.sliceMs.tag > 0, 'slices last a positive time');
    assert((options.restartDelayMs ?? MODE_RESTART_DELAY_MS_DEFAULT) > 0, 'restart delay is positive');
  }

  /** The mode whose slice is running, null when stopped. */
  get mode(): ReaderMode | null {
    return this.currentMode;
  }

  /** Starts with the reader mode. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the current slice and resolves once its mode has returned. */
  async stop(): Promise<void> {
    this.running = false;
    this.slice?.abort();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    let mode: ReaderMode = 'reader';
    while (this.running) {
      await this.runSlice(mode);
      mode = mode === 'reader' ? 'tag' : 'reader';
    }
    this.currentMode = null;
  }

  private async runSlice(mode: ReaderMode): Promise<void> {
    const sliceMs = this.sliceMs[mode];
    const startMs = this.timers.now();
    const slice = new AbortController();
    this.slice = slice;
    this.currentMode = mode;
    this.emit({ type: 'slice.start', mode, sliceMs });
    const endHandle = this.timers.setTimeout(() => slice.abort(), sliceMs);
    const overrunWarnMs = this.options.overrunWarnMs ?? SLICE_OVERRUN_WARN_MS_DEFAULT;
    const warnHandle = this.timers.setTimeout(() => {
      this.emit({ type: 'slice.overrun', mode, overrunMs: this.timers.now() - startMs - sliceMs });
    }, sliceMs + overrunWarnMs);
    let runs = 0;
    // Bounded: every run but the first follows a restart delay inside the slice, and the delay ends with
    // the slice (at once when the mode returned because the slice ended).
    for (;;) {
      runs += 1;
      try {
        await this.options.modes[mode](slice.signal);
      } catch (error) {
        this.emit({
          type: 'mode.error',
          mode,
          message: error instanceof Error ? error.message : String(error),
        });
      }
      try {
        await delay(this.options.restartDelayMs ?? MODE_RESTART_DELAY_MS_DEFAULT, this.timers, slice.signal);
      } catch {
        break;
      }
    }
    this.timers.clearTimeout(endHandle);
    this.timers.clearTimeout(warnHandle);
    const durationMs = this.timers.now() - startMs;
    this.emit({ type: 'slice.end', mode, durationMs, runs, overrunMs: Math.max(0, durationMs - sliceMs) });
  }

  private emit(event: ReaderModeEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A listener's failure must not stop the reader.
    }
  }
}

/**
 * The tag mode as a scheduler run: one PN532 target session per run, waiting for a phone until the
 * slice ends (the scheduler runs it again if a session ends early and the slice goes on).
 */
export function tagModeRun(
  options: Omit<TagSessionOptions, 'signal' | 'waitForPhoneMs'>,
  onSession?: (result: TagSessionResult) => void,
): ReaderModeRun {
  return async (signal) => {
    // The slice's signal ends the wait; this is only a backstop should a signal never come.
    const result = await runTagSession({ ...options, signal, waitForPhoneMs: TAG_WAIT_BACKSTOP_MS });
    onSession?.(result);
    return result;
  };
}

/** Far beyond any slice: a tag run's wait ends with its slice. */
const TAG_WAIT_BACKSTOP_MS = 60_000;
