// A case of the shared judge's table (@redtap/shared rules/cases.ts) as the token the cloud would have
// verified: the same fields, signatures already checked (placeholders), ready to judge or to settle.
import { caseWorld, type TapFacts, type TapToken } from '@redtap/shared';
import type { RecordableToken } from '../src/redemption/prepare.ts';

export function caseRecordable(
  tap: TapFacts,
  input: { walletAccountId: number; credentialIssuedAtS: number | null },
): RecordableToken {
  const token: TapToken = {
    version: 1,
    screenId: tap.screenId,
    counter: tap.counter,
    ts: tap.ts,
    nonce: new Uint8Array(16),
    campaignId: tap.campaignId,
    walletId: tap.walletId,
    credentialSerial: 1,
    phoneSignature: new Uint8Array(64),
    deckId: tap.deckId,
    envelopeIndex: tap.envelopeIndex,
    amountFen: tap.amountFen,
    couponOfferId: tap.couponOfferId,
    flags: 0,
    screenSignature: new Uint8Array(64),
  };
  return {
    kind: 'recordable',
    token,
    tokenHash: `case-${tap.screenId}-${tap.counter}`,
    source: 'mqtt',
    receivedAtS: tap.receivedAt,
    city: caseWorld.city,
    walletAccountId: input.walletAccountId,
    credentialIssuedAtS: input.credentialIssuedAtS,
    preCode: tap.priorCode,
  };
}
