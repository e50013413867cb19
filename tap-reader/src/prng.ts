// Seeded PRNG so a hostile phone's "random" replies replay exactly from a seed. Built on the shared
// mulberry32 generator (seededUnit), so a seed recorded here means the same sequence everywhere.
import { seededUnit } from '@redtap/shared';

export interface Random {
  /** [0, 1) */
  next: () => number;
  /** Integer in [0, maxExclusive). */
  int: (maxExclusive: number) => number;
  bytes: (length: number) => Uint8Array;
}

export function seededRandom(seed: number): Random {
  const next = seededUnit(seed);
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  const bytes = (length: number): Uint8Array => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = int(256);
    return out;
  };
  return { next, int, bytes };
}
