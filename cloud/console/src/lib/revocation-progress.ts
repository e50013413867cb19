// A phone revocation's way to the fleet as the Phones page shows it (docs/operations.md, "Watching
// config rollouts"): how many active screens were published a config carrying it, how many kiosks
// confirmed holding it, and how often to ask again.

/** What GET /v1/screen-configs/progress?generation=&revocation= answers (the figures read here). */
export interface ConfigProgressReply {
  screens: number;
  applied: number;
  retrying: number;
  confirmed: number | null;
}

export interface RevocationFigures {
  /** False until the first progress reply: the figures are then the revocation's own queued count. */
  known: boolean;
  /** Active screens now (the denominator of both figures). */
  total: number;
  /** Active screens whose published config carries the revocation (the broker holds it for them). */
  published: number;
  /** Active screens whose kiosk said in a heartbeat that it holds the revocation. */
  confirmed: number;
  /** Screens whose last publish failed and that wait for a retry. */
  retrying: number;
  publishedPercent: number;
  confirmedPercent: number;
  publishedComplete: boolean;
  confirmedComplete: boolean;
}

/**
 * Whole percent, rounded down: a bar shows 100 % only when every screen is counted (999 of 1,000 is
 * 99 %, not a full bar). No screens at all is complete.
 */
export function percentOf(done: number, total: number): number {
  if (total <= 0) return 100;
  return Math.floor((Math.min(done, total) / total) * 100);
}

export function revocationFigures(
  queuedScreens: number,
  progress: ConfigProgressReply | undefined,
): RevocationFigures {
  if (progress === undefined) {
    return {
      known: false,
      total: queuedScreens,
      published: 0,
      confirmed: 0,
      retrying: 0,
      publishedPercent: percentOf(0, queuedScreens),
      confirmedPercent: percentOf(0, queuedScreens),
      publishedComplete: false,
      confirmedComplete: false,
    };
  }
  // Screens enrolled or revoked meanwhile change the count: the figures are against the fleet as it is now.
  const total = progress.screens;
  const published = Math.min(progress.applied, total);
  const confirmed = Math.min(progress.confirmed ?? 0, total);
  return {
    known: true,
    total,
    published,
    confirmed,
    retrying: progress.retrying,
    publishedPercent: percentOf(published, total),
    confirmedPercent: percentOf(confirmed, total),
    publishedComplete: published >= total,
    confirmedComplete: confirmed >= total,
  };
}

/** How often the progress is asked for while it moves. */
export const FAST_POLL_MS = 2_000;
/** How often once it has stopped moving (see pollIntervalMs). */
export const SLOW_POLL_MS = 30_000;
/**
 * How long neither figure may stand still before the page asks less often: two kiosk heartbeat
 * intervals (60 s). An online kiosk confirms as soon as it holds the revocation, and at the latest on
 * its next heartbeat, so by then every screen that can confirm soon has.
 */
export const STALL_AFTER_MS = 120_000;

/**
 * The next poll: none once every screen has the revocation published and confirmed; every 2 s while
 * the figures move; every 30 s after they have stood still for STALL_AFTER_MS. The confirmed figure may
 * never reach the total (an offline screen confirms only when it reconnects, and kiosks from before the
 * heartbeat carried the revocation number never confirm), so the page does not give up on it: it keeps
 * asking, slowly, while it is open, which costs one count query per 30 s; a screen that comes back
 * later still shows up, and a figure that moves again brings back the 2 s poll. Publishes that keep
 * failing are retried by the dispatcher up to 5 minutes apart, so a stalled publish figure slows the
 * poll the same way.
 */
export function pollIntervalMs(figures: RevocationFigures, unchangedForMs: number): number | false {
  if (figures.known && figures.publishedComplete && figures.confirmedComplete) return false;
  return unchangedForMs >= STALL_AFTER_MS ? SLOW_POLL_MS : FAST_POLL_MS;
}

/** What the figures' last change is compared by: a new key restarts the stall clock. */
export function figuresKey(figures: RevocationFigures): string {
  return `${figures.total}:${figures.published}:${figures.confirmed}`;
}

/** A wallet id or credential serial typed in the form: a positive integer up to `max`, else null. */
export function positiveIntegerOf(text: string, max: number): number | null {
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) && value >= 1 && value <= max ? value : null;
}

/** The API's bounds: wallet ids are safe integers, serials fit the database's int column. */
export const WALLET_ID_MAX = Number.MAX_SAFE_INTEGER;
export const SERIAL_MAX = 2 ** 31 - 1;
