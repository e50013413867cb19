import { describe, expect, it } from 'vitest';
import { faultSpanMs, faultTarget, planFaults, type ScheduleShape } from './schedule.ts';

const SHAPE: ScheduleShape = { seed: 42, durationMs: 120_000, screens: 20, replicas: 2 };

describe('chaos fault schedule', () => {
  it('is a function of the seed: the same seed replays it, another seed does not', () => {
    expect(planFaults(SHAPE)).toEqual(planFaults({ ...SHAPE }));
    expect(planFaults({ ...SHAPE, seed: 43 })).not.toEqual(planFaults(SHAPE));
  });

  it('covers every kind of fault even in a short run', () => {
    for (let seed = 0; seed < 50; seed++) {
      const kinds = new Set(
        planFaults({ seed, durationMs: 25_000, screens: 4, replicas: 2 }).map(({ fault }) =>
          fault.kind === 'link' ? (fault.link.startsWith('kiosk') ? 'kiosk-link' : 'cloud-link') : fault.kind,
        ),
      );
      expect([...kinds].sort()).toEqual(
        ['clock-jump', 'cloud-link', 'kill-cloud', 'kill-kiosk', 'kiosk-link', 'restart-broker'].sort(),
      );
    }
  });

  it('keeps faults inside the run, ordered, on existing targets, one at a time per target', () => {
    for (let seed = 0; seed < 200; seed++) {
      const shape = { seed, durationMs: 60_000, screens: 5, replicas: seed % 2 === 0 ? 1 : 2 };
      const schedule = planFaults(shape);
      const busyUntil = new Map<string, number>();
      let previous = 0;
      for (const { atMs, fault } of schedule) {
        expect(atMs).toBeGreaterThanOrEqual(previous);
        expect(atMs).toBeGreaterThanOrEqual(shape.durationMs * 0.1);
        expect(atMs).toBeLessThan(shape.durationMs * 0.9);
        previous = atMs;
        const target = faultTarget(fault);
        expect(busyUntil.get(target) ?? 0).toBeLessThanOrEqual(atMs);
        expect(busyUntil.get('broker') ?? 0).toBeLessThanOrEqual(atMs);
        busyUntil.set(target, atMs + faultSpanMs(fault));
        const index = /^(?:kiosk|cloud)-(\d+)/.exec(target)?.[1];
        if (index !== undefined)
          expect(Number(index)).toBeLessThan(target.startsWith('kiosk') ? shape.screens : shape.replicas);
      }
    }
  });
});
