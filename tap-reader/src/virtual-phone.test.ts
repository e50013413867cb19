import {
  DayStateFlag,
  ErrorCode,
  HelloFlag,
  SignatureLabel,
  StatusWord,
  decodeHello,
  decodeResponseApdu,
  encodeDayStateRequest,
  encodeReceiptExtra,
  encodeTapToken,
  getDayStateApdu,
  putReceiptApdu,
  selectApdu,
  signChallengeApdu,
  tokenChallengeBytes,
  verify,
  verifyDayState,
  type TapToken,
} from '@redtap/shared';
import { describe, expect, it } from 'vitest';
import { createPhone } from '../test/fixtures.ts';
import { PhoneTapLog } from './phone-tap-log.ts';
import { VirtualPhone } from './virtual-phone.ts';

const sw = (bytes: Uint8Array): number => {
  const decoded = decodeResponseApdu(bytes);
  return decoded.ok ? decoded.value.sw : -1;
};
const challenge = new Uint8Array(36).fill(7);

describe('VirtualPhone', () => {
  it('answers SELECT with HELLO and signs the challenge with label challenge', () => {
    const phone = createPhone();
    const hello = decodeResponseApdu(phone.process(selectApdu()));
    expect(hello.ok && hello.value.sw).toBe(StatusWord.ok);
    expect(hello.ok && decodeHello(hello.value.data).ok).toBe(true);
    const signed = decodeResponseApdu(phone.process(signChallengeApdu(challenge)));
    expect(signed.ok && signed.value.data.length).toBe(64);
    expect(
      signed.ok && verify(SignatureLabel.challenge, challenge, signed.value.data, phone.keyPair.publicKey),
    ).toBe(true);
  });

  it('says in each HELLO whether it is online now, not when it was made', () => {
    const phone = createPhone();
    const helloFlags = (): number => {
      const reply = decodeResponseApdu(phone.process(selectApdu()));
      const hello = reply.ok ? decodeHello(reply.value.data) : null;
      return hello?.ok === true ? hello.value.flags : -1;
    };
    expect(helloFlags()).toBe(0);
    phone.online = true;
    expect(helloFlags()).toBe(HelloFlag.phoneOnline);
    phone.online = false;
    expect(helloFlags()).toBe(0);
  });

  it('answers the v1 error status words', () => {
    const phone = createPhone();
    expect(sw(phone.process(signChallengeApdu(challenge)))).toBe(StatusWord.conditionsNotSatisfied);
    expect(sw(phone.process(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x02, 0xa0, 0x00, 0x00)))).toBe(0x6a82);
    phone.process(selectApdu());
    expect(sw(phone.process(Uint8Array.of(0x80, 0x10, 0, 0, 0x02, 1, 2, 0)))).toBe(StatusWord.wrongLength);
    expect(sw(phone.process(Uint8Array.of(0x80, 0x55, 0, 0)))).toBe(StatusWord.insNotSupported);
    expect(sw(phone.process(Uint8Array.of(0x80, 0x10, 0, 0, 0x05, 1)))).toBe(StatusWord.wrongLength);
    expect(sw(createPhone({ kind: 'locked' }).process(selectApdu()))).toBe(StatusWord.conditionsNotSatisfied);
  });

  it('replays the same hostile replies from the same seed', async () => {
    const wallet = createPhone();
    const replies = async (): Promise<string[]> => {
      const phone = new VirtualPhone({
        keyPair: wallet.keyPair,
        credential: wallet.credential,
        behaviour: { kind: 'hostile', seed: 99 },
      });
      const out: string[] = [];
      for (let i = 0; i < 20; i++) {
        const reply = await phone.respond(selectApdu());
        out.push(reply.kind === 'reply' ? Buffer.from(reply.bytes).toString('hex') : 'leave');
      }
      return out;
    };
    expect(await replies()).toEqual(await replies());
  });

  it('hands stored receipts to the online path once', async () => {
    const phone = createPhone();
    phone.receipts.push({ token: new Uint8Array(196), extra: null, redeemed: false });
    const redeemed: Uint8Array[] = [];
    expect(await phone.redeemReceipts((token) => Promise.resolve(void redeemed.push(token)))).toBe(1);
    expect(await phone.redeemReceipts(() => Promise.reject(new Error(ErrorCode.INTERNAL)))).toBe(0);
    expect(redeemed).toHaveLength(1);
  });
});

describe('VirtualPhone day state (docs/protocol.md §4.4)', () => {
  const requestOf = (dayStart: number, screenId = 42): Uint8Array =>
    encodeDayStateRequest({ screenId, cityKey: 5, dayStart, ts: dayStart + 100, nonce: new Uint8Array(12) });

  /** Signs the challenge the token carries, then hands the phone the receipt (short or long). */
  const tapOnce = (phone: VirtualPhone, token: TapToken, extra: Uint8Array | null): number => {
    phone.process(selectApdu());
    phone.process(signChallengeApdu(tokenChallengeBytes(encodeTapToken(token))));
    return sw(phone.process(putReceiptApdu(encodeTapToken(token), extra)));
  };
  const token = (overrides: Partial<TapToken>): TapToken => ({
    version: 1,
    screenId: 42,
    counter: 1,
    ts: 1_795_000_000,
    nonce: new Uint8Array(16),
    campaignId: 12,
    walletId: 1,
    credentialSerial: 1,
    phoneSignature: new Uint8Array(64),
    deckId: 900,
    envelopeIndex: 0,
    amountFen: 88,
    couponOfferId: 0,
    flags: 0,
    screenSignature: new Uint8Array(64),
    ...overrides,
  });

  it('signs its day state over the request with label day-state, from the receipts it took', () => {
    const phone = createPhone();
    const extra = encodeReceiptExtra({ advertiserId: 7, cityKey: 0xabc });
    expect(tapOnce(phone, token({ counter: 1 }), extra)).toBe(StatusWord.ok);
    expect(
      tapOnce(
        phone,
        token({
          counter: 2,
          ts: 1_795_000_100,
          amountFen: 0,
          deckId: 0,
          envelopeIndex: 0xffff,
          couponOfferId: 5,
        }),
        extra,
      ),
    ).toBe(StatusWord.ok);
    phone.process(selectApdu());
    const request = requestOf(1_794_990_000);
    const answer = decodeResponseApdu(phone.process(getDayStateApdu(request)));
    expect(answer.ok && answer.value.sw).toBe(StatusWord.ok);
    const verified = verifyDayState(answer.ok ? answer.value.data : new Uint8Array(), {
      request,
      phoneKey: phone.keyPair.publicKey,
      walletId: phone.credential.walletId,
    });
    expect(verified).toMatchObject({
      ok: true,
      value: {
        cashCount: 1,
        cashFen: 88,
        screensWithCash: 1,
        flags: DayStateFlag.thisScreenHasCash,
        // The latest tap that paid cash: the coupon-only tap after it does not move it.
        lastTapTs: 1_795_000_000,
        lastCityKey: 0xabc,
        campaigns: [{ campaignId: 12, advertiserId: 7, cash: 1, coupons: 1 }],
      },
    });
    // The next day knows only where and when the last cash tap was.
    phone.process(selectApdu());
    const tomorrow = requestOf(1_794_990_000 + 86_400, 43);
    const next = decodeResponseApdu(phone.process(getDayStateApdu(tomorrow)));
    expect(
      verifyDayState(next.ok ? next.value.data : new Uint8Array(), {
        request: tomorrow,
        phoneKey: phone.keyPair.publicKey,
        walletId: phone.credential.walletId,
      }),
    ).toMatchObject({ ok: true, value: { cashCount: 0, flags: 0, campaigns: [], lastTapTs: 1_795_000_000 } });
  });

  it('as a phone from before the extension, answers 6D 00 and refuses the long receipt', () => {
    const wallet = createPhone();
    const old = new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential, dayState: false });
    old.process(selectApdu());
    expect(sw(old.process(getDayStateApdu(requestOf(1_794_990_000))))).toBe(StatusWord.insNotSupported);
    expect(tapOnce(old, token({}), new Uint8Array(8))).toBe(StatusWord.wrongLength);
    expect(tapOnce(old, token({}), null)).toBe(StatusWord.ok);
    expect(old.receipts).toHaveLength(1);
  });

  it('answers GET DAY STATE only inside a selected session, with a 32-byte request', () => {
    const phone = createPhone();
    expect(sw(phone.process(getDayStateApdu(requestOf(1))))).toBe(StatusWord.conditionsNotSatisfied);
    phone.process(selectApdu());
    expect(sw(phone.process(Uint8Array.of(0x80, 0x30, 0, 0, 2, 1, 2, 0)))).toBe(StatusWord.wrongLength);
  });
});

describe('VirtualPhone tap log across presentations', () => {
  it('shares a tap log passed in, so a phone built per tap remembers every screen', () => {
    const wallet = createPhone();
    const log = new PhoneTapLog();
    const first = new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential, tapLog: log });
    log.add({
      screenId: 1,
      counter: 1,
      ts: 1_795_000_000,
      campaignId: 12,
      advertiserId: 7,
      cityKey: 3,
      amountFen: 50,
      couponOfferId: 0,
    });
    const second = new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential, tapLog: log });
    expect(first.tapLog).toBe(second.tapLog);
    expect(second.tapLog.entries()).toHaveLength(1);
  });
});
