// Security of the two redemption paths beyond what test/money.test.ts covers: replays across paths in
// the phone-first order, tampered and re-signed tokens on the phone path, tokens that arrive after their
// screen or credential was revoked, and taps on expired or settled decks. Money is credited once and
// the ledger stays whole throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTapBatch, ErrorCode, toHex, type Ack } from '@redtap/shared';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { checkLedger } from '../../src/ledger/check-ledger.ts';
import { settleExpiredDecks } from '../../src/services/decks.ts';
import { openTestDatabase } from '../databases.ts';
import { createTestCloud, json, type TestCloud } from '../harness.ts';
import { buildWorld, makeTap, registerPhone, tiersPlan, type Kiosk, type World } from '../money-world.ts';
import { ledgerChanges, ledgerSnapshot, walletAccountId } from '../hostile/ledger-snapshot.ts';

interface RedeemReply {
  status: string;
  code?: string;
  amountFen?: number;
}

describe('redemption security across both paths', () => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;

  beforeAll(async () => {
    handle = await openTestDatabase('pglite');
    cloud = createTestCloud(handle);
    world = await buildWorld(cloud, {
      cities: ['Shanghai', 'Beijing', 'Hangzhou'],
      plan: tiersPlan(20_000),
      budgetFen: 20_000,
    });
  }, 120_000);
  afterAll(async () => {
    await handle.close();
  });

  async function viaKiosk(kiosk: Kiosk, tokens: Uint8Array[]): Promise<Ack> {
    const from = cloud.broker.acks.length;
    await cloud.broker.deliverTapBatch({ screenId: kiosk.screenId, payload: encodeTapBatch(tokens) });
    return cloud.broker.nextAck(kiosk.screenId, from);
  }
  async function viaPhone(token: Uint8Array, encoding: 'hex' | 'base64' = 'hex'): Promise<RedeemReply> {
    const text = encoding === 'hex' ? toHex(token) : Buffer.from(token).toString('base64');
    return json<RedeemReply>(await cloud.request('POST', '/v1/redeem', { body: { token: text } }));
  }
  async function expectLedgerWhole(): Promise<void> {
    expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });
  }

  it('credits a phone-first token once, and the kiosk copy is a duplicate with the same amount', async () => {
    const kiosk = world.kiosks[0]!;
    const phone = await registerPhone(cloud);
    const account = await walletAccountId(cloud.deps.db, phone.walletId);
    const before = await ledgerSnapshot(cloud.deps.db);
    const token = makeTap(kiosk, phone, cloud.clock.nowMs);
    const first = await viaPhone(token);
    expect(first.status).toBe('credited');
    // The same receipt again from the phone (hex and base64), then the kiosk's batch twice.
    expect(await viaPhone(token)).toMatchObject({ status: 'duplicate', amountFen: first.amountFen });
    expect(await viaPhone(token, 'base64')).toMatchObject({
      status: 'duplicate',
      amountFen: first.amountFen,
    });
    for (let i = 0; i < 2; i++) {
      expect((await viaKiosk(kiosk, [token])).results[0]).toMatchObject({
        status: 'duplicate',
        amountFen: first.amountFen,
      });
    }
    const changes = ledgerChanges(before, await ledgerSnapshot(cloud.deps.db));
    expect(changes.get(account)).toBe(first.amountFen);
    await expectLedgerWhole();
  });

  it('rejects tampered and re-signed copies on the phone path without touching the first result', async () => {
    const kiosk = world.kiosks[0]!;
    const phone = await registerPhone(cloud);
    const token = makeTap(kiosk, phone, cloud.clock.nowMs);
    // Tampered before anyone redeemed it: unrecorded, so the genuine token still redeems afterwards.
    const richer = token.slice();
    richer[126] = (richer[126] ?? 0) ^ 0x40; // amountFen's low byte
    expect(await viaPhone(richer)).toMatchObject({
      status: 'rejected',
      code: ErrorCode.SCREEN_SIGNATURE_INVALID,
    });
    const signatureFlipped = token.slice();
    signatureFlipped[190] = (signatureFlipped[190] ?? 0) ^ 1;
    expect(await viaPhone(signatureFlipped)).toMatchObject({ code: ErrorCode.SCREEN_SIGNATURE_INVALID });
    const short = await cloud.request('POST', '/v1/redeem', {
      body: { token: toHex(token.subarray(0, 195)) },
    });
    expect([short.status, (await json<{ error?: { code: string } }>(short)).error?.code]).toEqual([
      400,
      ErrorCode.VALIDATION_FAILED,
    ]);
    const credited = await viaPhone(token);
    expect(credited.status).toBe('credited');
    // The screen re-signs other bytes under the same identity (a compromised kiosk): a rollback, refused.
    const counter = kiosk.counter;
    const forged = makeTap(kiosk, phone, cloud.clock.nowMs, {
      counter,
      deck: null,
      campaignId: world.campaignId,
    });
    expect(await viaPhone(forged)).toMatchObject({
      status: 'rejected',
      code: ErrorCode.FRAUD_COUNTER_ROLLBACK,
    });
    expect((await viaKiosk(kiosk, [forged])).results[0]).toMatchObject({
      status: 'rejected',
      code: ErrorCode.FRAUD_COUNTER_ROLLBACK,
    });
    // …and the first result stands for the genuine bytes.
    expect(await viaPhone(token)).toMatchObject({ status: 'duplicate', amountFen: credited.amountFen });
    await expectLedgerWhole();
  });

  it('refuses on both paths tokens that arrive after their screen was revoked, and keeps earlier results', async () => {
    const kiosk = world.kiosks[2]!;
    const phone = await registerPhone(cloud);
    const early = makeTap(kiosk, phone, cloud.clock.nowMs);
    const late = makeTap(kiosk, phone, cloud.clock.nowMs);
    expect((await viaKiosk(kiosk, [early])).results[0]?.status).toBe('credited');
    const revoked = await cloud.request('POST', `/v1/screens/${kiosk.screenId}/revoke`, {
      token: world.operator,
    });
    expect(revoked.status).toBe(200);
    const before = await ledgerSnapshot(cloud.deps.db);
    expect(await viaPhone(late)).toMatchObject({ status: 'rejected', code: ErrorCode.SCREEN_REVOKED });
    expect((await viaKiosk(kiosk, [late])).results[0]).toMatchObject({ code: ErrorCode.SCREEN_REVOKED });
    // The token settled before the revocation keeps its first result; nothing moved since.
    expect(await viaPhone(early)).toMatchObject({
      status: 'duplicate',
      amountFen: expect.any(Number) as number,
    });
    expect((await viaKiosk(kiosk, [early])).results[0]).toMatchObject({ status: 'duplicate' });
    // The late token's envelope goes back from the deck's escrow to the campaign budget, like any
    // rejected envelope: two accounts move, in opposite directions, and the wallet gets nothing.
    const changes = ledgerChanges(before, await ledgerSnapshot(cloud.deps.db));
    expect([...changes.values()].reduce((sum, delta) => sum + delta, 0)).toBe(0);
    expect(changes.size).toBeLessThanOrEqual(2);
    expect(changes.has(await walletAccountId(cloud.deps.db, phone.walletId))).toBe(false);
    await expectLedgerWhole();
  });

  it('refuses on both paths tokens of a credential revoked before they arrive', async () => {
    const kiosk = world.kiosks[1]!;
    const phone = await registerPhone(cloud);
    const before = await ledgerSnapshot(cloud.deps.db);
    const tapped = [makeTap(kiosk, phone, cloud.clock.nowMs), makeTap(kiosk, phone, cloud.clock.nowMs)];
    const path = `/v1/wallets/${phone.walletId}/credentials/${phone.serial}/revoke`;
    expect((await cloud.request('POST', path, { token: world.operator })).status).toBe(200);
    expect(await viaPhone(tapped[0]!)).toMatchObject({
      status: 'rejected',
      code: ErrorCode.CREDENTIAL_REVOKED,
    });
    expect((await viaKiosk(kiosk, [tapped[1]!])).results[0]).toMatchObject({
      code: ErrorCode.CREDENTIAL_REVOKED,
    });
    // Replays of a rejection stay rejections, from either path.
    expect((await viaKiosk(kiosk, [tapped[0]!])).results[0]).toMatchObject({
      status: 'duplicate',
      code: ErrorCode.CREDENTIAL_REVOKED,
    });
    // Rejected envelopes went back to the budget: nothing reached the wallet.
    const account = await walletAccountId(cloud.deps.db, phone.walletId);
    expect(ledgerChanges(before, await ledgerSnapshot(cloud.deps.db)).get(account)).toBeUndefined();
    await expectLedgerWhole();
  });

  it('refuses taps on an expired deck and on a settled one, on both paths', async () => {
    const kiosk = world.kiosks[1]!;
    const deck = kiosk.decks[0]!;
    const phone = await registerPhone(cloud);
    const account = await walletAccountId(cloud.deps.db, phone.walletId);
    const afterExpiry = makeTap(kiosk, phone, cloud.clock.nowMs, { ts: deck.validUntil + 1 });
    expect(await viaPhone(afterExpiry)).toMatchObject({ status: 'rejected', code: ErrorCode.DECK_EXPIRED });
    // A tap made in time but arriving after the deck was settled (validUntil + grace, swept).
    const inTime = makeTap(kiosk, phone, cloud.clock.nowMs);
    const savedMs = cloud.clock.nowMs;
    cloud.clock.nowMs = (deck.validUntil + 3 * 3600) * 1000;
    try {
      // The one-minute sweep of the running cloud, run by hand.
      await settleExpiredDecks(cloud.deps.db, cloud.deps.settings.money, new Date(cloud.clock.nowMs));
      const before = await ledgerSnapshot(cloud.deps.db);
      expect(await viaPhone(inTime)).toMatchObject({ status: 'rejected' });
      const viaBatch = (await viaKiosk(kiosk, [makeTap(kiosk, phone, savedMs, { ts: deck.validUntil - 10 })]))
        .results[0];
      expect(viaBatch?.status).toBe('rejected');
      expect(ledgerChanges(before, await ledgerSnapshot(cloud.deps.db)).get(account)).toBeUndefined();
    } finally {
      cloud.clock.nowMs = savedMs;
    }
    await expectLedgerWhole();
  });
});
