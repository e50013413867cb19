// One contract suite for every tap source (simulated reader, PC/SC through pcscd + vpcd): the same
// scenarios, the same expectations, whatever carries the APDUs.
import { ErrorCode, StatusWord, decodeTapToken, encodeResponseApdu } from '@redtap/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { DemoKiosk } from '../src/demo-kiosk.ts';
import { waitForTapEvent } from '../src/tap-events.ts';
import type { ExchangeResult, TapEvent, TapHandler, TapSource } from '../src/types.ts';
import { TapReaderCode } from '../src/types.ts';
import { bankCard, mifareTag, type VirtualCard } from '../src/virtual-card.ts';
import { VirtualPhone } from '../src/virtual-phone.ts';
import { createKiosk, createPhone } from './fixtures.ts';

export interface TapRig {
  source: TapSource;
  readerNames: readonly [string, string];
  /** Puts a card on reader `index` (the tap itself; the source notices it on its own). */
  present(card: VirtualCard, index: 0 | 1): Promise<void>;
  /** Takes whatever card is on reader `index` away; no-op when the card already left. */
  withdraw(index: 0 | 1): Promise<void>;
  setHandler(handler: TapHandler): void;
}

const TAP_WAIT_MS = 8000;

/** Runs the shared scenarios against the rig `getRig()` returns (set up by the caller's beforeAll). */
export function describeTapSourceContract(name: string, getRig: () => TapRig): void {
  describe(`tap source contract: ${name}`, () => {
    const present = new Set<string>();
    let unsubscribe: (() => void) | null = null;

    const track = (rig: TapRig): void => {
      if (unsubscribe !== null) return;
      unsubscribe = rig.source.on((event: TapEvent) => {
        if (event.type === 'card.present') present.add(event.readerName);
        if (event.type === 'card.removed' || event.type === 'reader.detached')
          present.delete(event.readerName);
      });
    };

    const leave = async (index: 0 | 1): Promise<void> => {
      const rig = getRig();
      const readerName = rig.readerNames[index];
      const gone = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`${readerName} still reports a card`));
        }, TAP_WAIT_MS);
        const check = (): void => {
          if (present.has(readerName)) return;
          clearTimeout(timer);
          off();
          resolve();
        };
        const off = rig.source.on(check);
        queueMicrotask(check);
      });
      await rig.withdraw(index);
      await gone;
    };

    const tap = async (card: VirtualCard, index: 0 | 1 = 0, kiosk?: DemoKiosk): Promise<ExchangeResult> => {
      const rig = getRig();
      track(rig);
      if (kiosk !== undefined) rig.setHandler(kiosk);
      const readerName = rig.readerNames[index];
      const result = waitForTapEvent(
        rig.source,
        'tap',
        (event) => event.result.readerName === readerName,
        TAP_WAIT_MS,
      );
      await rig.present(card, index);
      return (await result).result;
    };

    afterEach(async () => {
      await leave(0);
      await leave(1);
    });

    it('runs SELECT, SIGN CHALLENGE and PUT RECEIPT for a phone, with per-APDU timings', async () => {
      const kiosk = createKiosk();
      const phone = createPhone({ kind: 'normal' }, true);
      const apdus: TapEvent[] = [];
      const off = getRig().source.on((event) => {
        if (event.type === 'apdu') apdus.push(event);
      });
      const result = await tap(phone, 0, kiosk);
      off();
      expect(result).toMatchObject({ outcome: 'completed', code: null, committed: true });
      expect(result.walletId).toBe(phone.credential.walletId);
      expect(result.apdus.map((apdu) => [apdu.step, apdu.sw])).toEqual([
        ['select', StatusWord.ok],
        ['sign', StatusWord.ok],
        ['receipt', StatusWord.ok],
      ]);
      expect(apdus).toHaveLength(3);
      expect(result.transportMs).toBeLessThanOrEqual(result.totalMs);
      expect(kiosk.commits).toHaveLength(1);
      expect(phone.receipts).toHaveLength(1);
      const token = decodeTapToken(phone.receipts[0]!.token);
      expect(token.ok && token.value.walletId).toBe(phone.credential.walletId);
      expect(token.ok && token.value.flags).toBe(1);
    });

    it("reads a phone's signed day state (GET DAY STATE) and sends it the long receipt", async () => {
      const dayStart = Math.floor(Date.now() / 1000) - 3600;
      const kiosk = createKiosk({ dayState: { cityKey: 9, dayStart, advertiserId: 4 } });
      const phone = createPhone();
      const result = await tap(phone, 0, kiosk);
      expect(result).toMatchObject({ outcome: 'completed', committed: true, dayStateAnswered: true });
      expect(result.apdus.map((apdu) => [apdu.step, apdu.sw])).toEqual([
        ['select', StatusWord.ok],
        ['day-state', StatusWord.ok],
        ['sign', StatusWord.ok],
        ['receipt', StatusWord.ok],
      ]);
      expect(kiosk.dayStates).toEqual([
        expect.objectContaining({ walletId: phone.credential.walletId, dayStart }),
      ]);
      expect(phone.receipts[0]?.extra).toEqual(Uint8Array.of(0, 0, 0, 4, 0, 0, 0, 9));
    });

    it('pays a phone from before GET DAY STATE as before: 6D 00, then the short receipt', async () => {
      const kiosk = createKiosk({ dayState: { cityKey: 9, dayStart: 1, advertiserId: 4 } });
      const wallet = createPhone();
      const phone = new VirtualPhone({
        keyPair: wallet.keyPair,
        credential: wallet.credential,
        dayState: false,
      });
      const result = await tap(phone, 0, kiosk);
      expect(result).toMatchObject({ outcome: 'completed', committed: true, dayStateAnswered: false });
      expect(result.apdus.map((apdu) => apdu.sw)).toEqual([
        StatusWord.ok,
        StatusWord.insNotSupported,
        StatusWord.ok,
        StatusWord.ok,
      ]);
      expect(kiosk.dayStates).toEqual([null]);
      expect(phone.receipts[0]?.extra).toBeNull();
    });

    it('runs one exchange per presentation while the phone is held on the reader', async () => {
      const kiosk = createKiosk();
      const phone = createPhone();
      expect((await tap(phone, 0, kiosk)).outcome).toBe('completed');
      await leave(0);
      expect((await tap(phone, 0)).outcome).toBe('completed');
      expect(phone.selectCount).toBe(2);
      expect(phone.receipts).toHaveLength(2);
      expect(kiosk.commits).toHaveLength(2);
    });

    it('reports and ignores a bank card (6A 82) without asking the kiosk', async () => {
      const kiosk = createKiosk();
      const result = await tap(bankCard(), 0, kiosk);
      expect(result).toMatchObject({ outcome: 'ignored', code: ErrorCode.APDU_NOT_REDTAP, committed: false });
      expect(kiosk.helloCount).toBe(0);
    });

    it('reports and ignores an ISO 14443-3 tag without sending it any APDU', async () => {
      const kiosk = createKiosk();
      const result = await tap(mifareTag(), 0, kiosk);
      expect(result).toMatchObject({ outcome: 'ignored', code: TapReaderCode.CARD_NOT_ISO_DEP });
      expect(result.apdus).toHaveLength(0);
    });

    it('aborts when the phone refuses (69 85)', async () => {
      const kiosk = createKiosk();
      const result = await tap(createPhone({ kind: 'locked' }), 0, kiosk);
      expect(result).toMatchObject({ outcome: 'aborted', code: ErrorCode.APDU_REFUSED, committed: false });
      expect(kiosk.helloCount).toBe(0);
    });

    it('passes the kiosk refusal through and sends nothing more', async () => {
      const phone = createPhone();
      const kiosk = createKiosk({ refusedWalletIds: new Set([phone.credential.walletId]) });
      const result = await tap(phone, 0, kiosk);
      expect(result).toMatchObject({
        outcome: 'refused',
        code: ErrorCode.CREDENTIAL_REVOKED,
        committed: false,
      });
      expect(result.apdus.map((apdu) => apdu.step)).toEqual(['select']);
    });

    it('aborts before the commit when the phone leaves after HELLO', async () => {
      const kiosk = createKiosk();
      const result = await tap(createPhone({ kind: 'leave-after-hello' }), 0, kiosk);
      expect(result).toMatchObject({ outcome: 'aborted', committed: false });
      // A real reader reports SCARD_W_REMOVED_CARD; vpcd hands back an empty response instead.
      expect([ErrorCode.CARD_REMOVED, ErrorCode.READER_ERROR, ErrorCode.APDU_MALFORMED]).toContain(
        result.code,
      );
      expect(kiosk.commits).toHaveLength(0);
      expect(kiosk.signatureLengths).toHaveLength(0);
    });

    it('keeps the commit when the phone leaves before the receipt (paid via the kiosk path)', async () => {
      const kiosk = createKiosk();
      const phone = createPhone({ kind: 'leave-after-challenge' });
      const result = await tap(phone, 0, kiosk);
      expect(result).toMatchObject({ outcome: 'undelivered', committed: true });
      expect(kiosk.commits).toHaveLength(1);
      expect(phone.receipts).toHaveLength(0);
    });

    it('reports an unacknowledged receipt when the phone leaves right after taking it', async () => {
      const kiosk = createKiosk();
      const phone = createPhone({ kind: 'leave-after-receipt' });
      const result = await tap(phone, 0, kiosk);
      expect(result).toMatchObject({ outcome: 'undelivered', committed: true });
      expect(phone.receipts).toHaveLength(1);
    });

    it('completes a slow phone within the 500 ms budget', async () => {
      const result = await tap(createPhone({ kind: 'slow', delayMs: 80, onlyIns: 0xa4 }), 0, createKiosk());
      expect(result.outcome).toBe('completed');
    });

    it('aborts before the commit once the 500 ms budget is spent', async () => {
      const kiosk = createKiosk();
      const result = await tap(createPhone({ kind: 'slow', delayMs: 700, onlyIns: 0x10 }), 0, kiosk);
      expect(result).toMatchObject({ outcome: 'aborted', code: ErrorCode.APDU_TIMEOUT, committed: false });
      expect(kiosk.signatureLengths).toHaveLength(0);
    });

    it('still delivers the receipt when the kiosk commit runs past the budget', async () => {
      const kiosk = createKiosk({ commitDelayMs: 550 });
      const phone = createPhone();
      const result = await tap(phone, 0, kiosk);
      expect(result).toMatchObject({ outcome: 'completed', committed: true });
      expect(result.totalMs).toBeGreaterThan(500);
      expect(phone.receipts).toHaveLength(1);
    });

    it('rejects a signature of the wrong length without reaching the commit step', async () => {
      const kiosk = createKiosk();
      const phone = createPhone();
      const shortSignature: VirtualCard = {
        atr: phone.atr,
        reset: () => phone.reset(),
        respond: async (apdu) => {
          const reply = await phone.respond(apdu);
          if (apdu[1] !== 0x10 || reply.kind !== 'reply') return reply;
          return {
            kind: 'reply',
            bytes: encodeResponseApdu({ data: reply.bytes.slice(0, 63), sw: StatusWord.ok }),
          };
        },
      };
      const result = await tap(shortSignature, 0, kiosk);
      expect(result).toMatchObject({ outcome: 'aborted', code: ErrorCode.TRUNCATED, committed: false });
      expect(kiosk.signatureLengths).toHaveLength(0);
    });

    it('rejects garbage from a hostile phone with typed codes and never commits it', async () => {
      const kiosk = createKiosk();
      for (let seed = 1; seed <= 6; seed++) {
        const result = await tap(createPhone({ kind: 'hostile', seed, validRatio: 0.2 }), 0, kiosk);
        expect(result.code === null ? result.outcome : typeof result.code).toMatch(/completed|string/);
        await leave(0);
      }
      expect(kiosk.signatureLengths.every((length) => length === 64)).toBe(true);
    });

    it('serves two readers at once', async () => {
      const kiosk = createKiosk();
      getRig().setHandler(kiosk);
      const [phoneA, phoneB] = [createPhone(), createPhone()];
      const [resultA, resultB] = await Promise.all([tap(phoneA, 0), tap(phoneB, 1)]);
      const names = getRig().readerNames;
      expect(resultA).toMatchObject({ outcome: 'completed', readerName: names[0] });
      expect(resultB).toMatchObject({ outcome: 'completed', readerName: names[1] });
      expect(new Set(kiosk.commits.map((commit) => commit.readerName))).toEqual(new Set(names));
      expect(phoneA.receipts).toHaveLength(1);
      expect(phoneB.receipts).toHaveLength(1);
    });
  });
}
