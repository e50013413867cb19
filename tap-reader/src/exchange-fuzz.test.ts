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
    const kiosk = createKiosk();
    const template = createPhone();
    const outcomes = new Map<string, number>();
    const results: ExchangeResult[] = [];
    for (let seed = 1; seed <= EXCHANGES; seed++) {
      // Half the phones corrupt nearly everything, half mostly answer well and fail deeper in.
      const phone = new VirtualPhone({
        keyPair: template.keyPair,
        credential: template.credential,
        behaviour: { kind: 'hostile', seed, validRatio: seed % 2 === 0 ? 0.1 : 0.7 },
      });
      const result = await runTapExchange({
        transport: new DirectTransport(phone),
        handler: kiosk,
        readerName: 'fuzz',
        cardType: CardType.iso14443_4,
      });
      const key = `${result.outcome}:${result.code ?? ''}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      if (result.committed) results.push(result);
      if (result.outcome !== 'completed') expect(knownCodes.has(String(result.code))).toBe(true);
    }
    // The commit step only ever saw well-formed, 64-byte signatures…
    expect(kiosk.signatureLengths.every((length) => length === SIGNATURE_LENGTH)).toBe(true);
    // …and committed only those that verified against the wallet's key, never a mutated one.
    expect(kiosk.commits.length).toBe(results.length);
    expect(kiosk.commits.every((commit) => commit.walletId === template.credential.walletId)).toBe(true);
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
    expect(kiosk.commits.length).toBeGreaterThan(0);
  }, 120_000);
});
