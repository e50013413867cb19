// Hostile-phone fuzz: tens of thousands of random or mutated replies through the real exchange code on
// the direct transport. Every one ends in a typed result; none reaches the commit with a bad reply.
import { ErrorCode, SIGNATURE_LENGTH, errorCodes } from '@redtap/shared';
import { describe, expect, it } from 'vitest';
import { DirectTransport } from './direct-transport.ts';
import { runTapExchange } from './exchange.ts';
import { CardType, TapReaderCode, type ExchangeResult } from './types.ts';
import { VirtualPhone } from './virtual-phone.ts';
import { createKiosk, createPhone } from '../test/fixtures.ts';

const EXCHANGES = 10_000;
const knownCodes = new Set<string>([...errorCodes, ...Object.values(TapReaderCode)]);

describe('hostile phone fuzz (direct transport)', () => {
  it(`survives ${EXCHANGES} exchanges of random and mutated replies`, async () => {
    // Half the exchanges ask GET DAY STATE first, of new phones and of phones from before it.
    const plainKiosk = createKiosk();
    const dayStateKiosk = createKiosk({ dayState: { cityKey: 7, dayStart: 1_795_000_000, advertiserId: 3 } });
    const template = createPhone();
    const outcomes = new Map<string, number>();
    const results: ExchangeResult[] = [];
    for (let seed = 1; seed <= EXCHANGES; seed++) {
      // Half the phones corrupt nearly everything, half mostly answer well and fail deeper in.
      const phone = new VirtualPhone({
        keyPair: template.keyPair,
        credential: template.credential,
        behaviour: { kind: 'hostile', seed, validRatio: seed % 2 === 0 ? 0.1 : 0.7 },
        dayState: seed % 3 !== 0,
      });
      const result = await runTapExchange({
        transport: new DirectTransport(phone),
        handler: seed % 4 < 2 ? dayStateKiosk : plainKiosk,
        readerName: 'fuzz',
        cardType: CardType.iso14443_4,
      });
      const key = `${result.outcome}:${result.code ?? ''}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      if (result.committed) results.push(result);
      if (result.outcome !== 'completed') expect(knownCodes.has(String(result.code))).toBe(true);
    }
    const kiosks = [plainKiosk, dayStateKiosk];
    const commits = kiosks.flatMap((kiosk) => kiosk.commits);
    // The commit step only ever saw well-formed, 64-byte signatures…
    for (const kiosk of kiosks)
      expect(kiosk.signatureLengths.every((length) => length === SIGNATURE_LENGTH)).toBe(true);
    // …and committed only those that verified against the wallet's key, never a mutated one.
    expect(commits.length).toBe(results.length);
    expect(commits.every((commit) => commit.walletId === template.credential.walletId)).toBe(true);
    // A mutated day state never verified as the wallet's, and intact ones did.
    const verified = dayStateKiosk.dayStates.filter((state) => state !== null);
    expect(verified.every((state) => state.walletId === template.credential.walletId)).toBe(true);
    expect(verified.length).toBeGreaterThan(0);
    expect(dayStateKiosk.dayStates.length).toBeGreaterThan(verified.length);
    // The fuzz reached every stage: typed rejections at SELECT, at SIGN, at the kiosk, and commits.
    const seen = [...outcomes.keys()].join(' ');
    for (const expected of [
      'aborted:APDU_MALFORMED',
      'aborted:BAD_LENGTH',
      'aborted:TRUNCATED',
      'refused:',
    ]) {
      expect(seen).toContain(expected);
    }
    expect(seen).toContain(`refused:${ErrorCode.PHONE_SIGNATURE_INVALID}`);
    expect(plainKiosk.commits.length).toBeGreaterThan(0);
    expect(dayStateKiosk.commits.length).toBeGreaterThan(0);
  }, 120_000);
});
