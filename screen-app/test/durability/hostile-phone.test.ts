// Hostile phones through the kiosk's real tap path: simulated reader → EngineTapHandler → engine →
// SQLite. Thousands of exchanges with random or mutated replies: each ends in a typed result, nothing
// is committed unless the phone's signature over the challenge verified, and counters stay gapless.
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeTapToken,
  errorCodes,
  PublicKeyCache,
  SignatureLabel,
  tokenChallengeBytes,
  verify,
} from '@redtap/shared';
import { SimulatedTapSource, TapReaderCode, VirtualPhone } from '@redtap/tap-reader';
import { EngineTapHandler } from '../../src/agent/tap-handler.ts';
import { KioskCode } from '../../src/codes.ts';
import type { TapPrize } from '../../src/engine/tap-engine.ts';
import { lastCommittedCounter } from '../../src/store/tap-queries.ts';
import { campaign, deckBytes, kiosk, screenConfig, T0, tempDir } from '../fixtures.ts';
import { testPhone } from '../simulated-kiosk.ts';

const EXCHANGES = Number(process.env.REDTAP_HOSTILE_PHONE_EXCHANGES ?? 2_500);
const WALLETS = 16;
const knownCodes = new Set<string>([
  ...errorCodes,
  ...Object.values(TapReaderCode),
  ...Object.values(KioskCode),
]);

describe('hostile phones through the kiosk engine', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it(`commits only verified taps over ${EXCHANGES} hostile exchanges`, async () => {
    const { store, engine } = kiosk(dir.dir, {
      now: () => T0,
      config: screenConfig({ campaigns: [campaign({ cashPerWalletPerDay: 100 })] }),
    });
    expect(
      engine.storeDeck(
        deckBytes({
          envelopes: Array.from({ length: EXCHANGES }, (_, i) => ({
            amountFen: 1 + (i % 9),
            couponOfferId: 0,
          })),
        }),
      ).status,
    ).toBe('stored');
    const committed: TapPrize[] = [];
    const handler = new EngineTapHandler({ engine, onTapCommitted: (prize) => committed.push(prize) });
    const source = new SimulatedTapSource({ handler, readerNames: ['Fuzz Reader'] });
    handler.attach(source);
    await source.start();

    const templates = Array.from({ length: WALLETS }, (_, i) => testPhone(7_000 + i));
    const phoneKeys = new PublicKeyCache(WALLETS);
    const outcomes = new Map<string, number>();
    let receiptsAccepted = 0;
    const startedMs = Date.now();
    try {
      for (let seed = 1; seed <= EXCHANGES; seed++) {
        const template = templates[seed % WALLETS] ?? templates[0]!;
        // Alternate between phones that corrupt nearly everything and phones that fail late.
        const phone = new VirtualPhone({
          keyPair: template.keyPair,
          credential: template.credential,
          behaviour: { kind: 'hostile', seed, validRatio: seed % 2 === 0 ? 0.15 : 0.75 },
        });
        const result = await source.present(phone);
        source.remove();
        const key = `${result.outcome}:${result.code ?? ''}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        if (result.outcome !== 'completed') expect(knownCodes, key).toContain(String(result.code));
        if (result.committed) expect(result.walletId).toBe(template.credential.walletId);
        receiptsAccepted += phone.receipts.length;
      }
    } finally {
      await source.stop();
    }

    // Every commit carries a phone signature that verifies against that wallet's key over the challenge.
    for (const prize of committed) {
      const token = decodeTapToken(prize.token);
      expect(token.ok).toBe(true);
      const owner = templates.find((phone) => phone.credential.walletId === prize.walletId);
      expect(owner).toBeDefined();
      const key = phoneKeys.get(owner?.credential.phonePublicKey ?? new Uint8Array(0));
      expect(
        key.ok &&
          token.ok &&
          verify(
            SignatureLabel.challenge,
            tokenChallengeBytes(prize.token),
            token.value.phoneSignature,
            key.value,
          ),
      ).toBe(true);
    }
    // Gapless: the store holds exactly the committed taps, numbered 1..N in commit order.
    expect(committed.map((prize) => prize.counter)).toEqual(committed.map((_, i) => i + 1));
    expect(lastCommittedCounter(store)).toBe(committed.length);
    const rows = store.sqlite.prepare('SELECT count(*) AS n FROM taps').get() as { n: number };
    expect(rows.n).toBe(committed.length);
    // The fuzz reached every stage, including the engine's own refusal of a bad signature.
    const seen = [...outcomes.keys()].join(' ');
    expect(seen).toContain('PHONE_SIGNATURE_INVALID');
    expect(seen).toContain('aborted:');
    expect(committed.length).toBeGreaterThan(EXCHANGES / 20);
    // Not one exchange left the counter held: a busy screen would mean a leaked session.
    expect(seen).not.toContain(KioskCode.SCREEN_BUSY);
    store.close();
    console.log(
      `[hostile-phone] ${EXCHANGES} exchanges in ${Date.now() - startedMs} ms: ${committed.length} committed ` +
        `(${receiptsAccepted} receipts kept by phones), outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
  }, 180_000);
});
