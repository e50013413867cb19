import {
  ErrorCode,
  SignatureLabel,
  StatusWord,
  decodeHello,
  decodeResponseApdu,
  selectApdu,
  signChallengeApdu,
  verify,
} from '@redtap/shared';
import { describe, expect, it } from 'vitest';
import { createPhone } from '../test/fixtures.ts';
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
    phone.receipts.push({ token: new Uint8Array(196), redeemed: false });
    const redeemed: Uint8Array[] = [];
    expect(await phone.redeemReceipts((token) => Promise.resolve(void redeemed.push(token)))).toBe(1);
    expect(await phone.redeemReceipts(() => Promise.reject(new Error(ErrorCode.INTERNAL)))).toBe(0);
    expect(redeemed).toHaveLength(1);
  });
});
