import { describe, expect, it } from 'vitest';
import { seededRandom } from '@redtap/tap-reader';
import { PhoneTurns, planTravel } from './sim-scenarios.ts';
import type { SimPhone } from './sim-world.ts';

const phonesIn = (cities: string[], count: number): SimPhone[] =>
  Array.from({ length: count }, (_, i) => ({ walletId: i + 1, city: cities[i % cities.length] }) as SimPhone);

describe('PhoneTurns', () => {
  it('gives every phone of a city a turn per round, never one busy phone twice', () => {
    const turns = new PhoneTurns(phonesIn(['Shanghai', 'Hangzhou'], 8), seededRandom(3));
    const taken = [1, 2, 3, 4].map(() => turns.take('Shanghai'));
    expect(new Set(taken.map((phone) => phone?.walletId)).size).toBe(4);
    expect(taken.every((phone) => phone?.city === 'Shanghai')).toBe(true);
    // All four of Shanghai's phones are busy.
    expect(turns.take('Shanghai')).toBeUndefined();
    const first = taken[0] as SimPhone;
    turns.release(first);
    expect(turns.take('Shanghai')?.walletId).toBe(first.walletId);
  });

  it('moves a traveller to the other city’s turns', () => {
    const phones = phonesIn(['Shanghai', 'Hangzhou'], 4);
    const turns = new PhoneTurns(phones, seededRandom(3));
    const traveller = phones[0] as SimPhone;
    turns.move(traveller, 'Hangzhou');
    expect(turns.city(traveller)).toBe('Hangzhou');
    const inShanghai = [turns.take('Shanghai'), turns.take('Shanghai')];
    expect(inShanghai.map((phone) => phone?.walletId)).not.toContain(traveller.walletId);
    expect(inShanghai[1]).toBeUndefined();
    const inHangzhou = [turns.take('Hangzhou'), turns.take('Hangzhou'), turns.take('Hangzhou')];
    expect(inHangzhou.map((phone) => phone?.walletId).sort()).toEqual([1, 2, 4]);
  });
});

describe('planTravel', () => {
  it('has each traveller board once, in the middle of the run, the same for a seed', () => {
    const phones = phonesIn(['Shanghai', 'Hangzhou'], 40);
    const plan = planTravel(phones, 400, 0.25, seededRandom(1));
    expect(plan.size).toBeGreaterThan(0);
    expect(new Set([...plan.values()]).size).toBe(plan.size);
    for (const at of plan.keys()) expect(at > 80 && at <= 330).toBe(true);
    expect([...planTravel(phones, 400, 0.25, seededRandom(1)).keys()]).toEqual([...plan.keys()]);
    expect(planTravel(phones, 400, 0, seededRandom(1)).size).toBe(0);
  });
});
