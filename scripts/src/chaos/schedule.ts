// The chaos runner's fault schedule: a pure function of the seed and the run's shape, so a seed that
// finds a bug replays the same faults at the same offsets against the same targets. The first faults
// cycle through every kind in a seeded order (a short run still covers them all); later ones are drawn
// by weight. A target carries one fault at a time: a schedule never kills a kiosk that is already down.
import { seededRandom, type Random } from '@redtap/tap-reader';

export type LinkName = `kiosk-${number}` | `cloud-${number}-db` | `cloud-${number}-mqtt`;
export type LinkFaultKind = 'down' | 'delay' | 'blackhole' | 'reset';

export type Fault =
  | { kind: 'kill-kiosk'; kiosk: number; downMs: number }
  | { kind: 'kill-cloud'; replica: number; downMs: number }
  | { kind: 'restart-broker'; crash: boolean; downMs: number }
  | { kind: 'link'; link: LinkName; fault: LinkFaultKind; delayMs: number; durationMs: number }
  | { kind: 'clock-jump'; kiosk: number; offsetS: number; durationMs: number };

export interface ScheduledFault {
  atMs: number;
  fault: Fault;
}

export interface ScheduleShape {
  seed: number;
  durationMs: number;
  screens: number;
  replicas: number;
}

/** Faults begin after this share of the run (taps flow first) and end before the last share. */
const WARMUP_SHARE = 0.1;
const QUIET_END_SHARE = 0.1;
/** One fault per this much run time on average, whatever the duration. */
const MEAN_GAP_MS = 3_000;
/** A kiosk clock jumps by up to this much either way (a bad RTC, a wrong NTP answer). */
const CLOCK_JUMP_MAX_S = 3 * 3_600;

type FaultKind = Exclude<Fault['kind'], 'link'> | 'kiosk-link' | 'cloud-link';
const KINDS: readonly { kind: FaultKind; weight: number }[] = [
  { kind: 'kill-kiosk', weight: 18 },
  { kind: 'kiosk-link', weight: 30 },
  { kind: 'kill-cloud', weight: 12 },
  { kind: 'cloud-link', weight: 18 },
  { kind: 'restart-broker', weight: 8 },
  { kind: 'clock-jump', weight: 6 },
];
const LINK_FAULTS: readonly LinkFaultKind[] = ['down', 'delay', 'blackhole', 'reset'];

function between(random: Random, min: number, max: number): number {
  return min + random.int(max - min + 1);
}

function pickWeighted(random: Random): FaultKind {
  const total = KINDS.reduce((sum, entry) => sum + entry.weight, 0);
  let roll = random.int(total);
  for (const entry of KINDS) {
    if (roll < entry.weight) return entry.kind;
    roll -= entry.weight;
  }
  return 'kiosk-link';
}

/** How long a fault keeps its target busy, so that no second fault lands on it meanwhile. */
export function faultSpanMs(fault: Fault): number {
  switch (fault.kind) {
    case 'kill-kiosk':
    case 'kill-cloud':
    case 'restart-broker':
      return fault.downMs;
    case 'link':
    case 'clock-jump':
      return fault.durationMs;
  }
}

export function faultTarget(fault: Fault): string {
  switch (fault.kind) {
    case 'kill-kiosk':
    case 'clock-jump':
      return `kiosk-${fault.kiosk}`;
    case 'kill-cloud':
      return `cloud-${fault.replica}`;
    case 'restart-broker':
      return 'broker';
    case 'link':
      return fault.link;
  }
}

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'kill-kiosk':
      return `SIGKILL kiosk ${fault.kiosk}, restart after ${fault.downMs} ms`;
    case 'kill-cloud':
      return `SIGKILL cloud replica ${fault.replica}, restart after ${fault.downMs} ms`;
    case 'restart-broker':
      return `${fault.crash ? 'SIGKILL' : 'SIGTERM'} the broker, restart after ${fault.downMs} ms`;
    case 'link':
      if (fault.fault === 'reset') return `reset every connection of link ${fault.link}`;
      if (fault.fault === 'delay')
        return `delay link ${fault.link} by ${fault.delayMs} ms for ${fault.durationMs} ms`;
      return `${fault.fault === 'down' ? 'cut' : 'half-open'} link ${fault.link} for ${fault.durationMs} ms`;
    case 'clock-jump':
      return `jump kiosk ${fault.kiosk}'s clock by ${fault.offsetS > 0 ? '+' : ''}${fault.offsetS} s for ${fault.durationMs} ms`;
  }
}

function draw(kind: FaultKind, random: Random, shape: ScheduleShape): Fault {
  const kiosk = random.int(shape.screens);
  const replica = random.int(shape.replicas);
  switch (kind) {
    case 'kill-kiosk':
      return { kind, kiosk, downMs: between(random, 200, 4_000) };
    case 'kill-cloud':
      return { kind, replica, downMs: between(random, 500, 5_000) };
    case 'restart-broker':
      return { kind, crash: random.int(2) === 0, downMs: between(random, 300, 3_000) };
    case 'clock-jump': {
      const magnitude = between(random, 60, CLOCK_JUMP_MAX_S);
      return {
        kind,
        kiosk,
        offsetS: random.int(2) === 0 ? magnitude : -magnitude,
        durationMs: between(random, 2_000, 10_000),
      };
    }
    case 'kiosk-link':
    case 'cloud-link': {
      const fault = LINK_FAULTS[random.int(LINK_FAULTS.length)] ?? 'down';
      const link: LinkName =
        kind === 'kiosk-link'
          ? `kiosk-${kiosk}`
          : random.int(3) === 0
            ? `cloud-${replica}-mqtt`
            : `cloud-${replica}-db`;
      return {
        kind: 'link',
        link,
        fault,
        delayMs: fault === 'delay' ? between(random, 50, 1_500) : 0,
        durationMs: fault === 'reset' ? 0 : between(random, 500, 8_000),
      };
    }
  }
}

/** The whole schedule, ordered by time. Same shape, same schedule. */
export function planFaults(shape: ScheduleShape): ScheduledFault[] {
  const random = seededRandom(shape.seed);
  const startMs = Math.round(shape.durationMs * WARMUP_SHARE);
  const endMs = Math.round(shape.durationMs * (1 - QUIET_END_SHARE));
  const cover: FaultKind[] = KINDS.map((entry) => entry.kind);
  for (let i = cover.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [cover[i], cover[j]] = [cover[j] as FaultKind, cover[i] as FaultKind];
  }
  const busyUntil = new Map<string, number>();
  const schedule: ScheduledFault[] = [];
  let atMs = startMs;
  // Short runs pack faults closer, so that every kind still finds a slot.
  const gapMs = Math.min(MEAN_GAP_MS, Math.max(200, (endMs - startMs) / (2 * cover.length)));
  while (atMs < endMs) {
    const covering = cover[0];
    const kind = covering ?? pickWeighted(random);
    // A few draws for a free target; a kind still to cover waits for the next slot, another is left out.
    for (let attempt = 0; attempt < 8; attempt++) {
      const fault = draw(kind, random, shape);
      const target = faultTarget(fault);
      // The broker is everyone's link: nothing else starts while it restarts.
      if ((busyUntil.get(target) ?? 0) > atMs || (busyUntil.get('broker') ?? 0) > atMs) continue;
      schedule.push({ atMs, fault });
      busyUntil.set(target, atMs + faultSpanMs(fault));
      if (covering !== undefined) cover.shift();
      break;
    }
    atMs += Math.round(gapMs * (0.5 + random.next()));
  }
  return schedule;
}
