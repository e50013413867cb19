// Claim paths and decks (docs/protocol.md §3.4, §5.5, §7, §7a), on PGlite and PostgreSQL: a campaign
// whose claimPaths leave out `tap` gets no deck, pays no tap token (CLAIM_PATH_NOT_OFFERED) and is still
// claimed by the QR code of the screens it targets; a campaign that offers an online path leaves its
// claim reserve in the pool when its decks are cut, so the first deck of a one-screen campaign no
// longer takes everything and online claims are paid; decks and claims together never pass the budget.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  decodeDeck,
  encodeTapBatch,
  encodeTicketText,
  ErrorCode,
  fromHex,
  signTicket,
  TicketPath,
  type Ack,
  type ClaimPath,
  type Deck,
} from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { checkLedger } from '../src/ledger/check-ledger.ts';
import { defaultMoneySettings } from '../src/money-settings.ts';
import { claimReserve } from '../src/services/decks.ts';
import { buildScreenConfig } from '../src/services/screen-config.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import {
  advertiserSession,
  createTestCloud,
  json,
  operatorToken,
  walletSession,
  type TestCloud,
} from './harness.ts';
import {
  createActiveCampaign,
  enrolKiosk,
  makeTap,
  nextTransferId,
  registerPhone,
  type Kiosk,
} from './money-world.ts';

const engines = await testEngines();
let cities = 0;

interface ClaimReply {
  status: 'credited' | 'rejected';
  code: string | null;
  amountFen: number;
  campaignId: number | null;
}

describe('the claim reserve', () => {
  it('is a percent of what the campaign has left, rounded up, never more than the cash in the pool', () => {
    expect(claimReserve(50, 50, 0, 10)).toBe(5);
    expect(claimReserve(4, 4, 0, 10)).toBe(1);
    expect(claimReserve(3, 10, 90, 10)).toBe(3);
    expect(claimReserve(50, 50, 0, 0)).toBe(0);
    expect(claimReserve(0, 0, 0, 10)).toBe(0);
  });
});

describe.each(engines)('claim paths and decks on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle, {
      money: {
        ...defaultMoneySettings,
        // A default deck of 60: 10 taps an hour over the 6 h horizon, more than these pools hold.
        tapRatePerHourDefault: 10,
        walletDailyCashCountMax: 100_000,
        walletDailyCashFenMax: 10_000_000,
        advertiserWalletDailyCashMax: 100_000,
      },
    });
    operator = await operatorToken(cloud);
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  /** A campaign of `envelopes` 1-fen envelopes over one new screen of a new city, activated. */
  async function oneScreenCampaign(input: {
    envelopes: number;
    claimPaths?: ClaimPath[];
    claimReservePercent?: number;
  }): Promise<{ campaignId: number; kiosk: Kiosk }> {
    const advertiser = await advertiserSession(cloud, operator);
    await cloud.request('POST', `/v1/advertisers/${advertiser.advertiserId}/funding`, {
      token: operator,
      body: { amountFen: input.envelopes, transferId: nextTransferId() },
    });
    const city = `Claimville ${++cities} ${Math.random().toString(36).slice(2, 8)}`;
    const kiosk = await enrolKiosk(cloud, operator, city);
    const { campaignId } = await createActiveCampaign(cloud, {
      operator,
      advertiser,
      nowS: Math.floor(cloud.clock.nowMs / 1000),
      cities: [city],
      plan: { kind: 'tiers', tiers: [{ amountFen: 1, count: input.envelopes }] },
      budgetFen: input.envelopes,
      couponStock: 0,
      cashPerWalletPerDay: 100,
      ...(input.claimPaths === undefined ? {} : { claimPaths: input.claimPaths }),
      ...(input.claimReservePercent === undefined ? {} : { claimReservePercent: input.claimReservePercent }),
    });
    return { campaignId, kiosk };
  }

  /** The campaign's decks (main envelopes each, by id) and what its pool still holds. */
  async function decksAndPool(campaignId: number) {
    const decks = await queryRows<{ main: unknown }>(
      cloud.deps.db,
      sql`select jsonb_array_length(envelopes) - fallback_count as main
          from decks where campaign_id = ${campaignId} order by id`,
    );
    const [pool] = await queryRows<{ n: unknown }>(
      cloud.deps.db,
      sql`select count(*) as n from campaign_envelopes where campaign_id = ${campaignId} and deck_id is null`,
    );
    return { decks: decks.map((row) => int(row.main)), pool: int(pool?.n) };
  }

  async function deckLow(kiosk: Kiosk, campaignId: number) {
    await cloud.broker.deliverEvent({
      screenId: kiosk.screenId,
      event: { type: 'deck-low', campaignId, remaining: 0 },
    });
  }

  async function settle(kiosk: Kiosk, tokens: Uint8Array[]): Promise<Ack> {
    const from = cloud.broker.acks.length;
    await cloud.broker.deliverTapBatch({ screenId: kiosk.screenId, payload: encodeTapBatch(tokens) });
    return cloud.broker.nextAck(kiosk.screenId, from);
  }

  let ticketSeq = 0;
  async function claimTicket(
    kiosk: Kiosk,
    campaignId: number,
    path: TicketPath = TicketPath.screenQr,
  ): Promise<ClaimReply> {
    const wallet = await walletSession(cloud);
    const { bytes } = signTicket(
      {
        screenId: kiosk.screenId,
        ticketSeq: ++ticketSeq,
        ts: Math.floor(cloud.clock.nowMs / 1000),
        campaignId,
        path,
        nonce: randomBytes(8),
      },
      kiosk.key.privateKey,
    );
    const response = await cloud.request('POST', '/v1/wallet/claims', {
      token: wallet.token,
      body: { ticket: encodeTicketText(bytes) },
    });
    const reply = await json<ClaimReply>(response);
    expect([response.status, reply]).toEqual([200, expect.anything()]);
    return reply;
  }

  it.skipIf(!available)(
    'a QR-only campaign gets no deck, pays no tap, is named in its screen config and paid by its QR ticket',
    async () => {
      const { campaignId, kiosk } = await oneScreenCampaign({ envelopes: 50, claimPaths: ['qr'] });
      // Neither activation nor a kiosk asking cuts a deck of it: its whole pool stays for claims.
      await deckLow(kiosk, campaignId);
      expect(await decksAndPool(campaignId)).toEqual({ decks: [], pool: 50 });

      // The config names it with its paths, so the kiosk plays it without a deck and pays it no tap.
      const config = await buildScreenConfig(cloud.deps.db, kiosk.screenId, new Date(cloud.clock.nowMs));
      const named = config?.campaigns.find((campaign) => campaign.campaignId === campaignId);
      expect(named?.claimPaths).toEqual(['qr']);
      expect(config?.playlist.some((item) => item.campaignId === campaignId)).toBe(true);

      // A tap token for it (a kiosk that does not know the rule, or a forged choice) is refused with
      // the stable code and moves no money.
      const phone = await registerPhone(cloud);
      const ack = await settle(kiosk, [makeTap(kiosk, phone, cloud.clock.nowMs, { deck: null, campaignId })]);
      expect(ack.results.map((result) => [result.status, result.code])).toEqual([
        ['rejected', ErrorCode.CLAIM_PATH_NOT_OFFERED],
      ]);

      // Its QR ticket is paid from the pool; a reader-tag ticket is not its path.
      const paid = await claimTicket(kiosk, campaignId);
      expect([paid.status, paid.amountFen, paid.campaignId]).toEqual(['credited', 1, campaignId]);
      const tag = await claimTicket(kiosk, campaignId, TicketPath.readerTag);
      expect([tag.status, tag.code]).toEqual(['rejected', ErrorCode.CLAIM_PATH_NOT_OFFERED]);
      expect((await decksAndPool(campaignId)).pool).toBe(49);
      expect((await checkLedger(cloud.deps.db)).ok).toBe(true);
    },
    120_000,
  );

  it.skipIf(!available)(
    "a one-screen campaign's first deck leaves the claim reserve, claims are paid from it, and refills leave it too",
    async () => {
      // Every path (the default) and the default reserve of 10 %: of 50 envelopes the deck takes 45.
      const { campaignId, kiosk } = await oneScreenCampaign({ envelopes: 50 });
      expect(await decksAndPool(campaignId)).toEqual({ decks: [45], pool: 5 });
      // Asking again while it holds the deck gets nothing more.
      await deckLow(kiosk, campaignId);
      expect((await decksAndPool(campaignId)).decks).toEqual([45]);

      const first = await claimTicket(kiosk, campaignId);
      expect([first.status, first.amountFen]).toEqual(['credited', 1]);

      // The screen taps its whole deck; the refill leaves ⌈10 % of 4⌉ = 1 envelope for claims.
      const [deckRow] = await queryRows<{ signed: string }>(
        cloud.deps.db,
        sql`select signed from decks where campaign_id = ${campaignId} order by id limit 1`,
      );
      const decoded = decodeDeck(fromHex(deckRow?.signed ?? '') ?? new Uint8Array());
      expect(decoded.ok).toBe(true);
      const deck = (decoded as { ok: true; value: Deck }).value;
      const phone = await registerPhone(cloud);
      const startMs = cloud.clock.nowMs;
      try {
        cloud.clock.nowMs += 200 * 1000;
        const start = Math.floor(startMs / 1000) + 10;
        const ack = await settle(
          kiosk,
          Array.from({ length: 45 }, (_, i) =>
            makeTap(kiosk, phone, cloud.clock.nowMs, { deck, envelopeIndex: i, ts: start + 3 * i }),
          ),
        );
        expect(ack.results.filter((result) => result.status !== 'credited')).toEqual([]);
      } finally {
        // The taps were settled at a human pace; wallets sign in on the test clock again.
        cloud.clock.nowMs = startMs;
      }
      await deckLow(kiosk, campaignId);
      expect(await decksAndPool(campaignId)).toEqual({ decks: [45, 3], pool: 1 });
      const last = await claimTicket(kiosk, campaignId);
      expect([last.status, last.amountFen]).toEqual(['credited', 1]);
      // The pool is empty (what is left is the screen's deck): a claim overspends nothing.
      const none = await claimTicket(kiosk, campaignId);
      expect([none.status, none.code]).toEqual(['rejected', ErrorCode.CAMPAIGN_EXHAUSTED]);
      expect((await checkLedger(cloud.deps.db)).ok).toBe(true);
    },
    120_000,
  );

  it.skipIf(!available)(
    'the reserve follows the campaign: none for a tap-only campaign, its own percent when it chose one',
    async () => {
      const tapOnly = await oneScreenCampaign({ envelopes: 50, claimPaths: ['tap'] });
      expect(await decksAndPool(tapOnly.campaignId)).toEqual({ decks: [50], pool: 0 });
      const chosen = await oneScreenCampaign({
        envelopes: 50,
        claimPaths: ['tap', 'sticker'],
        claimReservePercent: 30,
      });
      expect(await decksAndPool(chosen.campaignId)).toEqual({ decks: [35], pool: 15 });
      const noReserve = await oneScreenCampaign({ envelopes: 50, claimReservePercent: 0 });
      expect(await decksAndPool(noReserve.campaignId)).toEqual({ decks: [50], pool: 0 });
      expect((await checkLedger(cloud.deps.db)).ok).toBe(true);
    },
    120_000,
  );
});
