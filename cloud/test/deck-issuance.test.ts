// How the cloud cuts decks (docs/protocol.md §3.4), on PGlite and PostgreSQL: at activation every
// targeted screen gets one deck before its config names the campaign; the pool is split fairly, so a
// screen asking again and again (or claiming any tap rate) cannot take what another needs; refills follow
// the taps the cloud settled; and the fallback-coupon allotment is stock taken out of the pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeDeck,
  encodeTapBatch,
  signDeckClose,
  toHex,
  type Ack,
  type ClaimPath,
  type Deck,
  type ScreenConfig,
} from '@redtap/shared';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { checkLedger } from '../src/ledger/check-ledger.ts';
import { defaultMoneySettings } from '../src/money-settings.ts';
import { fairShare, settleExpiredDecks } from '../src/services/decks.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { advertiserSession, createTestCloud, operatorToken, type TestCloud } from './harness.ts';
import {
  createActiveCampaign,
  enrolKiosk,
  makeTap,
  nextTransferId,
  registerPhone,
  type Kiosk,
  type Phone,
} from './money-world.ts';

const engines = await testEngines();
let cities = 0;

interface Rollout {
  campaignId: number;
  couponOfferId: number;
  kiosks: Kiosk[];
  /** What the broker saw, in order: which screen got a deck, and which a config naming the campaign. */
  published: { kind: 'deck' | 'config'; screenId: number }[];
  /** Deck-low events sent by the eager kiosks, to wait for. */
  asked: Promise<void>[];
}

/**
 * Activates a campaign of `envelopes` 1-fen envelopes over `screens` new screens of one new city. Each
 * kiosk is eager: the moment its config names the campaign while it holds no deck of it, it asks for one
 * (deck-low), as a real kiosk's refill watch does.
 */
async function rollOut(
  cloud: TestCloud,
  input: {
    screens: number;
    envelopes: number;
    couponStock: number;
    cashPerWalletPerDay?: number;
    claimPaths?: ClaimPath[];
  },
): Promise<Rollout> {
  const operator = await operatorToken(cloud);
  const advertiser = await advertiserSession(cloud, operator);
  await cloud.request('POST', `/v1/advertisers/${advertiser.advertiserId}/funding`, {
    token: operator,
    body: { amountFen: input.envelopes, transferId: nextTransferId() },
  });
  const city = `Deckville ${++cities} ${Math.random().toString(36).slice(2, 8)}`;
  const kiosks: Kiosk[] = [];
  for (let i = 0; i < input.screens; i++) kiosks.push(await enrolKiosk(cloud, operator, city));
  const rollout: Rollout = { campaignId: 0, couponOfferId: 0, kiosks, published: [], asked: [] };
  const broker = cloud.broker;
  const publishDeck = broker.publishDeck.bind(broker);
  const publishConfig = broker.publishConfig.bind(broker);
  const ours = new Set(kiosks.map((kiosk) => kiosk.screenId));
  broker.publishDeck = async (screenId: number, bytes: Uint8Array) => {
    await publishDeck(screenId, bytes);
    const decoded = decodeDeck(bytes);
    if (!ours.has(screenId) || !decoded.ok) return;
    rollout.published.push({ kind: 'deck', screenId });
    // A kiosk stores a deck once; the same deck sent again is the same deck.
    const kiosk = kiosks.find((candidate) => candidate.screenId === screenId);
    if (kiosk !== undefined && !kiosk.decks.some((deck) => deck.deckId === decoded.value.deckId))
      kiosk.decks.push(decoded.value);
  };
  broker.publishConfig = async (screenId: number, config: ScreenConfig) => {
    await publishConfig(screenId, config);
    // Only this rollout's campaign targets the new city.
    const named = config.campaigns[0];
    if (!ours.has(screenId) || named === undefined) return;
    rollout.published.push({ kind: 'config', screenId });
    const holds = kiosks.find((kiosk) => kiosk.screenId === screenId)?.decks.length ?? 0;
    if (holds === 0)
      rollout.asked.push(
        broker.deliverEvent({
          screenId,
          event: { type: 'deck-low', campaignId: named.campaignId, remaining: 0 },
        }),
      );
  };
  const { campaignId, couponOfferId } = await createActiveCampaign(cloud, {
    operator,
    advertiser,
    nowS: Math.floor(cloud.clock.nowMs / 1000),
    cities: [city],
    plan: { kind: 'tiers', tiers: [{ amountFen: 1, count: input.envelopes }] },
    budgetFen: input.envelopes,
    couponStock: input.couponStock,
    cashPerWalletPerDay: input.cashPerWalletPerDay ?? 5,
    ...(input.claimPaths === undefined ? {} : { claimPaths: input.claimPaths }),
  });
  rollout.campaignId = campaignId;
  rollout.couponOfferId = couponOfferId;
  await Promise.all(rollout.asked);
  return rollout;
}

/** A batch of tokens from the kiosk, answered by the cloud. */
async function settle(cloud: TestCloud, kiosk: Kiosk, tokens: Uint8Array[]): Promise<Ack> {
  const from = cloud.broker.acks.length;
  await cloud.broker.deliverTapBatch({ screenId: kiosk.screenId, payload: encodeTapBatch(tokens) });
  return cloud.broker.nextAck(kiosk.screenId, from);
}

const TAPS_PER_PHONE = 100;

/**
 * Every main envelope of the kiosk's newest deck, tapped at a human pace over the minutes that follow
 * (the clock moves on), by as many phones as the campaign's cash cap of 100 needs.
 */
async function tapWholeDeck(cloud: TestCloud, kiosk: Kiosk): Promise<void> {
  const deck = kiosk.decks.at(-1) as Deck;
  const main = deck.envelopes.length - deck.fallbackCount;
  const start = Math.floor(cloud.clock.nowMs / 1000) + 10;
  cloud.clock.nowMs += (main * 3 + 20) * 1000;
  const phones: Phone[] = [];
  for (let i = 0; i < Math.ceil(main / TAPS_PER_PHONE); i++) phones.push(await registerPhone(cloud));
  const tokens = Array.from({ length: main }, (_, i) =>
    makeTap(kiosk, phones[Math.floor(i / TAPS_PER_PHONE)] as Phone, cloud.clock.nowMs, {
      deck,
      envelopeIndex: i,
      ts: start + 3 * i,
    }),
  );
  const ack = await settle(cloud, kiosk, tokens);
  expect(ack.results.filter((result) => result.status !== 'credited').slice(0, 3)).toEqual([]);
}

async function deckLow(cloud: TestCloud, rollout: Rollout, kiosk: Kiosk, tapRatePerHour?: number) {
  await cloud.broker.deliverEvent({
    screenId: kiosk.screenId,
    event: {
      type: 'deck-low',
      campaignId: rollout.campaignId,
      remaining: 0,
      ...(tapRatePerHour === undefined ? {} : { tapRatePerHour }),
    },
  });
}

/** Per screen: main envelopes of its usable decks not redeemed yet; and what the pool still holds. */
async function holdings(cloud: TestCloud, campaignId: number) {
  const nowS = Math.floor(cloud.clock.nowMs / 1000);
  const rows = await queryRows<{ screen_id: unknown; held: unknown }>(
    cloud.deps.db,
    sql`select d.screen_id, sum(jsonb_array_length(d.envelopes) - d.fallback_count
              - (select count(*) from redemptions r where r.deck_id = d.id
                   and r.envelope_index < jsonb_array_length(d.envelopes) - d.fallback_count)) as held
        from decks d where d.campaign_id = ${campaignId} and d.status = 'open'
          and d.closed_used_count is null and d.valid_until >= ${nowS}
        group by d.screen_id`,
  );
  const [pool] = await queryRows<{ n: unknown }>(
    cloud.deps.db,
    sql`select count(*) as n from campaign_envelopes where campaign_id = ${campaignId} and deck_id is null`,
  );
  return { held: new Map(rows.map((row) => [int(row.screen_id), int(row.held)])), pool: int(pool?.n) };
}

/** The fallback offer's coupons: in the pool, in deck envelopes, in allotments, and issued to wallets. */
async function couponStock(cloud: TestCloud, campaignId: number, offerId: number) {
  const [row] = await queryRows<{ pool: unknown; allotted: unknown; in_decks: unknown; issued: unknown }>(
    cloud.deps.db,
    sql`select
          (select count(*) from campaign_envelopes
            where campaign_id = ${campaignId} and deck_id is null and coupon_offer_id = ${offerId}) as pool,
          (select coalesce(sum(fallback_count), 0) from decks
            where campaign_id = ${campaignId} and status = 'open') as allotted,
          (select count(*) from decks d, jsonb_array_elements(d.envelopes) with ordinality e(v, i)
            where d.campaign_id = ${campaignId} and d.status = 'open'
              and e.i <= jsonb_array_length(d.envelopes) - d.fallback_count
              and (e.v ->> 1)::int = ${offerId}) as in_decks,
          (select count(*) from coupons where campaign_id = ${campaignId}) as issued`,
  );
  return {
    pool: int(row?.pool),
    allotted: int(row?.allotted),
    inDecks: int(row?.in_decks),
    issued: int(row?.issued),
  };
}

describe.each(engines)('deck issuance on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle, {
      money: {
        ...defaultMoneySettings,
        // A default deck of 60: 10 taps an hour over the 6 h horizon.
        tapRatePerHourDefault: 10,
        walletDailyCashCountMax: 100_000,
        walletDailyCashFenMax: 10_000_000,
        advertiserWalletDailyCashMax: 100_000,
      },
    });
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)(
    'at activation gives each of 4 screens one deck of 900 envelopes before its config names the campaign',
    async () => {
      const demand = 60;
      const rollout = await rollOut(cloud, { screens: 4, envelopes: 900, couponStock: 40 });
      for (const kiosk of rollout.kiosks) {
        expect(kiosk.decks, `screen ${kiosk.screenId}`).toHaveLength(1);
        const deck = kiosk.decks[0] as Deck;
        expect(deck.envelopes.length - deck.fallbackCount).toBe(demand);
        const firstDeck = rollout.published.findIndex(
          (p) => p.kind === 'deck' && p.screenId === kiosk.screenId,
        );
        const firstConfig = rollout.published.findIndex(
          (p) => p.kind === 'config' && p.screenId === kiosk.screenId,
        );
        expect(firstDeck).toBeGreaterThanOrEqual(0);
        expect(firstDeck).toBeLessThan(firstConfig);
      }
      // Kiosks asking anyway (a deck lost while they were away, a restart) while they hold their demand
      // get the deck they hold sent again, byte for byte, and nothing more.
      const sent = (screenId: number) =>
        rollout.published.filter((p) => p.kind === 'deck' && p.screenId === screenId).length;
      for (const kiosk of rollout.kiosks) {
        const before = sent(kiosk.screenId);
        await deckLow(cloud, rollout, kiosk);
        expect(sent(kiosk.screenId), `screen ${kiosk.screenId}`).toBe(before + 1);
      }
      for (const kiosk of rollout.kiosks) expect(kiosk.decks).toHaveLength(1);
      expect((await holdings(cloud, rollout.campaignId)).pool).toBe(900 - 4 * demand);

      // The allotment is the fallback offer's stock taken out of the pool: nothing counted twice or lost.
      const stock = await couponStock(cloud, rollout.campaignId, rollout.couponOfferId);
      expect(stock.allotted).toBeGreaterThan(0);
      expect(stock.pool + stock.inDecks + stock.allotted).toBe(40);
      for (const kiosk of rollout.kiosks) {
        const deck = kiosk.decks[0] as Deck;
        const slots = deck.envelopes.slice(deck.envelopes.length - deck.fallbackCount);
        expect(
          slots.every((slot) => slot.amountFen === 0 && slot.couponOfferId === rollout.couponOfferId),
        ).toBe(true);
      }
      expect((await checkLedger(cloud.deps.db)).ok).toBe(true);
    },
    120_000,
  );

  it.skipIf(!available)(
    'splits the pool fairly: asking again and again, or claiming 1e9 taps an hour, takes no more than an honest screen',
    async () => {
      const rollout = await rollOut(cloud, {
        screens: 2,
        envelopes: 1_000,
        couponStock: 0,
        cashPerWalletPerDay: 100,
        // Paid by taps only: no claim reserve (claim-paths-decks.test.ts), the whole pool is the screens'.
        claimPaths: ['tap'],
      });
      const [a, b] = rollout.kiosks as [Kiosk, Kiosk];
      const decksOf = (kiosk: Kiosk) => kiosk.decks.length;
      const mainOf = (deck: Deck | undefined) =>
        deck === undefined ? 0 : deck.envelopes.length - deck.fallbackCount;
      /** Asks as the kiosk; whatever comes is within the share it had when it asked. */
      const ask = async (kiosk: Kiosk, tapRatePerHour?: number) => {
        const before = await holdings(cloud, rollout.campaignId);
        const heldAll = [...before.held.values()].reduce((sum, n) => sum + n, 0);
        const decks = kiosk.decks.length;
        await deckLow(cloud, rollout, kiosk, tapRatePerHour);
        for (const deck of kiosk.decks.slice(decks))
          expect(mainOf(deck)).toBeLessThanOrEqual(
            fairShare(before.pool, heldAll, 2) - (before.held.get(kiosk.screenId) ?? 0),
          );
      };
      const startMs = cloud.clock.nowMs;
      try {
        // A screen holding its demand gets nothing, however often and whatever rate it claims.
        for (let i = 0; i < 10; i++) await ask(a, 1e9);
        expect([decksOf(a), decksOf(b)]).toEqual([1, 1]);

        // Both screens tap their whole deck; the cloud settles it. Then A asks ten times claiming 1e9
        // taps an hour, B once without a rate: each gets one refill, of the same size.
        await tapWholeDeck(cloud, a);
        await tapWholeDeck(cloud, b);
        for (let i = 0; i < 10; i++) await ask(a, 1e9);
        await ask(b);
        expect([decksOf(a), decksOf(b)]).toEqual([2, 2]);
        // 60 settled taps within the first hour: 60 an hour, a 360-envelope refill for the 6 h horizon.
        expect(mainOf(a.decks[1])).toBe(360);
        expect(mainOf(b.decks[1])).toBe(360);

        // A keeps tapping and asking; each of its decks stays within its share, so B, which still holds
        // its refill, keeps every envelope of it.
        for (let round = 0; round < 2; round++) {
          await tapWholeDeck(cloud, a);
          for (let i = 0; i < 5; i++) await ask(a, 1e9);
        }
        const { held, pool } = await holdings(cloud, rollout.campaignId);
        expect(held.get(b.screenId)).toBe(360);
        expect(pool).toBe(0);
        // A got 160 more, the rest of the pool, then nothing.
        expect(a.decks.map(mainOf)).toEqual([60, 360, 160]);
      } finally {
        cloud.clock.nowMs = startMs;
      }
      expect((await checkLedger(cloud.deps.db)).ok).toBe(true);
    },
    120_000,
  );

  it.skipIf(!available)(
    'keeps the allotment past a close report, redeems its slots, and pools the unused ones at settlement',
    async () => {
      const rollout = await rollOut(cloud, { screens: 1, envelopes: 200, couponStock: 30 });
      const kiosk = rollout.kiosks[0] as Kiosk;
      const deck = kiosk.decks[0] as Deck;
      expect(deck.fallbackCount).toBeGreaterThan(1);
      const start = deck.envelopes.length - deck.fallbackCount;
      const phone = await registerPhone(cloud);
      const nowS = Math.floor(cloud.clock.nowMs / 1000);
      // The kiosk closes the deck having drawn one main envelope and one slot; the slot's token is late.
      const report = signDeckClose(
        { deckId: deck.deckId, screenId: kiosk.screenId, usedCount: 1, fallbackUsedCount: 1, ts: nowS },
        kiosk.key.privateKey,
      );
      await cloud.broker.deliverEvent({
        screenId: kiosk.screenId,
        event: { type: 'deck-close', report: toHex(report) },
      });
      const ack = await settle(cloud, kiosk, [
        makeTap(kiosk, phone, cloud.clock.nowMs, { deck, envelopeIndex: 0, ts: nowS - 100 }),
        makeTap(kiosk, phone, cloud.clock.nowMs, { deck, envelopeIndex: start, ts: nowS - 97 }),
      ]);
      expect(ack.results.map((result) => result.status)).toEqual(['credited', 'credited']);
      const withCoupon = (deck.envelopes[0]?.couponOfferId ?? 0) === 0 ? 0 : 1;
      expect((await couponStock(cloud, rollout.campaignId, rollout.couponOfferId)).issued).toBe(
        1 + withCoupon,
      );

      await settleExpiredDecks(
        cloud.deps.db,
        cloud.deps.settings.money,
        new Date(cloud.clock.nowMs + 3 * 86_400_000),
      );
      const stock = await couponStock(cloud, rollout.campaignId, rollout.couponOfferId);
      // Settled: nothing left in decks; every coupon not issued is back in the pool.
      expect(stock.allotted + stock.inDecks).toBe(0);
      expect(stock.pool + stock.issued).toBe(30);
      expect((await checkLedger(cloud.deps.db)).ok).toBe(true);
    },
    120_000,
  );
});
