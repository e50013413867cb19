import { describe, expect, it } from 'vitest';
import { ErrorCode, generateKeyPair, SignatureLabel, sign } from '@redtap/shared';
import { createInlineVerifier, type VerifyJob } from './signature-verifier.ts';
import { createVerifierPool } from './verifier-pool.ts';
import { localDay } from '../local-day.ts';
import { defaultMoneySettings } from '../money-settings.ts';
import { deckSize } from '../services/decks.ts';
import { toAckResult } from './redemption-service.ts';

describe('redemption helpers', () => {
  it('maps results to the wire ack: a hold is a final rejection, retry carries nothing', () => {
    expect(
      toAckResult({ counter: 3, status: 'held', code: ErrorCode.FRAUD_TAP_RATE, amountFen: 88 }),
    ).toEqual({
      counter: 3,
      status: 'rejected',
      code: ErrorCode.HELD_FOR_REVIEW,
    });
    expect(toAckResult({ counter: 4, status: 'duplicate', amountFen: 88 })).toEqual({
      counter: 4,
      status: 'duplicate',
      amountFen: 88,
    });
    expect(toAckResult({ counter: 5, status: 'retry' })).toEqual({ counter: 5, status: 'retry' });
    expect(toAckResult({ counter: null, status: 'rejected', code: ErrorCode.TRUNCATED })).toBeNull();
  });

  it('sizes decks by the observed tap rate within bounds', () => {
    expect(deckSize(null, defaultMoneySettings)).toBe(180);
    expect(deckSize(0, defaultMoneySettings)).toBe(defaultMoneySettings.deckSizeMin);
    expect(deckSize(1e9, defaultMoneySettings)).toBe(defaultMoneySettings.deckSizeMax);
  });

  it('counts days in the operator time zone', () => {
    // 2026-01-01T16:30:00Z is already 2 January in Shanghai.
    expect(localDay(1_767_285_000, 'Asia/Shanghai')).toBe('2026-01-02');
    expect(localDay(1_767_285_000, 'UTC')).toBe('2026-01-01');
  });

  it('gives the same verdicts on the worker pool as inline', async () => {
    const key = generateKeyPair();
    const other = generateKeyPair();
    const jobs: VerifyJob[] = Array.from({ length: 200 }, (_, i) => {
      const message = new Uint8Array([i & 0xff, 1, 2, 3]);
      const signer = i % 3 === 0 ? other : key;
      return {
        label: SignatureLabel.tap,
        message,
        signature: sign(SignatureLabel.tap, message, signer.privateKey),
        publicKeyRaw: key.publicKeyRaw,
      };
    });
    jobs.push({
      label: SignatureLabel.tap,
      message: new Uint8Array(1),
      signature: new Uint8Array(3),
      publicKeyRaw: new Uint8Array(65),
    });
    const pool = createVerifierPool(2, 16);
    try {
      const expected = await createInlineVerifier().verifyMany(jobs);
      expect(expected.filter(Boolean)).toHaveLength(133);
      expect(await pool.verifyMany(jobs)).toEqual(expected);
    } finally {
      await pool.close();
    }
  });
});
