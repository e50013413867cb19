// Online claims of a screen's claim ticket (docs/protocol.md §3.8, §7a), on PGlite and PostgreSQL: a
// credited claim pays from the campaign's pool and the ledger stays whole; one ticket pays once however
// many requests race for it; each refusal of the claim order answers its code and moves no money; caps
// are shared with taps; an empty pool overspends nothing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  encodeTicketText,
  ErrorCode,
  generateKeyPair,
  localDay,
  signTicket,
  TicketPath,
  ticketUrl,
  toHex,
  type KeyPair,
} from '@redtap/shared';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { int, queryRows } from '../../src/db/rows.ts';
import { getLedgerAccount } from '../../src/ledger/accounts.ts';
import { checkLedger } from '../../src/ledger/check-ledger.ts';
import { defaultMoneySettings } from '../../src/money-settings.ts';
import { defaultClaimNoticeLimits, dispatchClaimNotices } from '../../src/services/claim-notices.ts';
import { batchMetaReadKey, sunReadOf, tagFileReadKey } from '../../src/tags/sun.ts';
import { openTestDatabase, testEngines } from '../databases.ts';
import { createTestCloud, json, walletSession, type TestCloud } from '../harness.ts';
import {
  buildWorld,
  createActiveCampaign,
  enrolKiosk,
  makeTap,
  oneCreative,
  tiersPlan,
  type Kiosk,
  type World,
} from '../money-world.ts';

const engines = await testEngines();
const CLAIMS_PER_MINUTE = 4;

interface ClaimReply {
  status: 'credited' | 'rejected';
  code: string | null;
  amountFen: number;
  brand: string | null;
  campaignId: number | null;
  replayed: boolean;
  ticketSeq: number | null;
}

function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } }).error?.code;
}

describe.each(engines)('claims on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;
  let kiosk: Kiosk;
  let ticketSeq = 0;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine, 8);
    cloud = createTestCloud(handle, {
      money: { ...defaultMoneySettings, claimsPerScreenPerMinuteMax: CLAIMS_PER_MINUTE },
    });
    world = await buildWorld(cloud, {
      cities: ['Shanghai'],
      plan: tiersPlan(20_000),
      budgetFen: 20_000,
      cashPerWalletPerDay: 2,
      couponStock: 20,
    });
    kiosk = world.kiosks[0] as Kiosk;
  }, 120_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  const nowS = () => Math.floor(cloud.clock.nowMs / 1000);

  /** A screen of its own per test, so one test's claims never count against another's claim rate. */
  let screen: { screenId: number; key: KeyPair };
  async function freshScreen(building: string) {
    screen = await enrolKiosk(cloud, world.operator, 'Shanghai', building);
    return screen;
  }

  function ticket(
    options: { screenId?: number; key?: KeyPair; ts?: number; campaignId?: number; path?: TicketPath } = {},
  ): string {
    ticketSeq += 1;
    const { bytes } = signTicket(
      {
        screenId: options.screenId ?? screen.screenId,
        ticketSeq,
        ts: options.ts ?? nowS(),
        campaignId: options.campaignId ?? world.campaignId,
        path: options.path ?? TicketPath.screenQr,
        nonce: randomBytes(8),
      },
      (options.key ?? screen.key).privateKey,
    );
    return encodeTicketText(bytes);
  }

  const claim = (token: string, body: unknown) => cloud.request('POST', '/v1/wallet/claims', { token, body });

  async function accountBalance(sqlText: ReturnType<typeof sql>): Promise<number> {
    const [row] = await queryRows<{ id: unknown }>(cloud.deps.db, sqlText);
    return (await getLedgerAccount(cloud.deps.db, int(row?.id)))?.balanceFen ?? -1;
  }
  const walletBalance = (walletId: number) =>
    accountBalance(sql`select ledger_account_id as id from wallets where id = ${walletId}`);
  const budgetBalance = (campaignId: number) =>
    accountBalance(sql`select budget_account_id as id from campaigns where id = ${campaignId}`);

  async function moneyUnchanged<T>(walletId: number, act: () => Promise<T>): Promise<T> {
    const before = [await walletBalance(walletId), await budgetBalance(world.campaignId)];
    const result = await act();
    expect([await walletBalance(walletId), await budgetBalance(world.campaignId)]).toEqual(before);
    expect((await checkLedger(cloud.deps.db)).ok).toBe(true);
    return result;
  }

  it.skipIf(!available)(
    'credits a claim from the campaign pool, answers the same wallet its first result and queues the notice',
    async () => {
      await freshScreen('Tower 1');
      const wallet = await walletSession(cloud);
      const budgetBefore = await budgetBalance(world.campaignId);
      const bytes = ticket();
      const response = await claim(wallet.token, { ticket: bytes });
      expect(response.status).toBe(200);
      const result = await json<ClaimReply>(response);
      expect(result).toMatchObject({
        status: 'credited',
        code: null,
        campaignId: world.campaignId,
        replayed: false,
      });
      expect(result.brand).toBe('Tea Co');
      expect(result.amountFen).toBeGreaterThan(0);
      expect(await walletBalance(wallet.walletId)).toBe(result.amountFen);
      expect(await budgetBalance(world.campaignId)).toBe(budgetBefore - result.amountFen);
      expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, poolMismatchCampaignIds: [] });

      // The whole claim URL works too, and a retry by the same wallet is its first result, paid once.
      const again = await json<ClaimReply>(
        await claim(wallet.token, {
          ticket: ticketUrl('https://redtap.example', Buffer.from(bytes, 'base64url')),
        }),
      );
      expect(again).toMatchObject({ status: 'credited', amountFen: result.amountFen, replayed: true });
      expect(await walletBalance(wallet.walletId)).toBe(result.amountFen);

      const notices = await queryRows<{ screen_id: unknown; payload: unknown }>(
        cloud.deps.db,
        sql`select screen_id, payload from claim_notices where screen_id = ${screen.screenId}`,
      );
      const payloads = notices.map((row) =>
        typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload,
      );
      expect(payloads).toContainEqual({ ticketSeq: result.ticketSeq, claimedAt: nowS() });
      // The dispatcher publishes it after commit and empties the outbox.
      const outcome = await dispatchClaimNotices(
        cloud.deps.db,
        (screenId, notice) => cloud.broker.publishTicketClaimed(screenId, notice),
        new Date(cloud.clock.nowMs),
      );
      expect(outcome.published).toBeGreaterThanOrEqual(1);
      // It carries what the cloud paid, and the brand that paid, as the claim recorded them.
      expect(cloud.broker.ticketsClaimed).toContainEqual({
        screenId: screen.screenId,
        notice: {
          ticketSeq: result.ticketSeq,
          claimedAt: nowS(),
          result: { status: 'credited', amountFen: result.amountFen, brand: 'Tea Co' },
        },
      });
      const left = await queryRows<{ n: unknown }>(
        cloud.deps.db,
        sql`select count(*) as n from claim_notices where screen_id = ${screen.screenId}`,
      );
      expect(int(left[0]?.n)).toBe(0);

      const history = await json<{ items: { path?: string; brand: string | null; amountFen: number }[] }>(
        await cloud.request('GET', '/v1/wallets/me/history', { token: wallet.token }),
      );
      expect(history.items[0]).toMatchObject({ path: 'qr', brand: 'Tea Co', amountFen: result.amountFen });
    },
  );

  it.skipIf(!available)('pays one ticket once when two wallets claim it at the same time', async () => {
    await freshScreen('Tower 2');
    const first = await walletSession(cloud);
    const second = await walletSession(cloud);
    const bytes = ticket();
    const budgetBefore = await budgetBalance(world.campaignId);
    const responses = await Promise.all([
      claim(first.token, { ticket: bytes }),
      claim(second.token, { ticket: bytes }),
    ]);
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 409]);
    const bodies = await Promise.all(responses.map((response) => json(response)));
    const won = bodies.find((body) => errorCode(body) === undefined) as unknown as ClaimReply;
    expect(bodies.map(errorCode)).toContain(ErrorCode.TICKET_ALREADY_CLAIMED);
    expect(won.status).toBe('credited');
    const paid = (await walletBalance(first.walletId)) + (await walletBalance(second.walletId));
    expect(paid).toBe(won.amountFen);
    expect(await budgetBalance(world.campaignId)).toBe(budgetBefore - won.amountFen);
    const [row] = await queryRows<{ n: unknown }>(
      cloud.deps.db,
      sql`select count(*) as n from claims where ticket_seq = ${ticketSeq} and screen_id = ${screen.screenId}`,
    );
    expect(int(row?.n)).toBe(1);
    expect((await checkLedger(cloud.deps.db)).ok).toBe(true);
  });

  it.skipIf(!available)('pays one ticket once when one wallet sends it twice at the same time', async () => {
    await freshScreen('Tower 3');
    const wallet = await walletSession(cloud);
    const bytes = ticket();
    const results = await Promise.all([
      claim(wallet.token, { ticket: bytes }).then((response) => json<ClaimReply>(response)),
      claim(wallet.token, { ticket: bytes }).then((response) => json<ClaimReply>(response)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['credited', 'credited']);
    expect(results.map((result) => result.replayed).sort()).toEqual([false, true]);
    expect(await walletBalance(wallet.walletId)).toBe(results[0].amountFen);
  });

  it.skipIf(!available)(
    'refuses a forged ticket and one claimed by another wallet, moving nothing',
    async () => {
      await freshScreen('Tower 4');
      const wallet = await walletSession(cloud);
      const forged = await moneyUnchanged(wallet.walletId, async () =>
        claim(wallet.token, { ticket: ticket({ key: generateKeyPair() }) }),
      );
      expect(forged.status).toBe(400);
      expect(errorCode(await json(forged))).toBe(ErrorCode.TICKET_FORGED);
      // A ticket naming a screen that does not exist is forged too: nobody learns which screens exist.
      const unknown = await claim(wallet.token, { ticket: ticket({ screenId: 9_999_999 }) });
      expect(errorCode(await json(unknown))).toBe(ErrorCode.TICKET_FORGED);

      const other = await walletSession(cloud);
      const bytes = ticket();
      expect((await claim(other.token, { ticket: bytes })).status).toBe(200);
      const taken = await moneyUnchanged(wallet.walletId, async () => claim(wallet.token, { ticket: bytes }));
      expect(taken.status).toBe(409);
      expect(errorCode(await json(taken))).toBe(ErrorCode.TICKET_ALREADY_CLAIMED);
    },
  );

  it.skipIf(!available)(
    "refuses an old ticket and one from the future, judged on the screen's reported clock",
    async () => {
      await freshScreen('Tower 5');
      const wallet = await walletSession(cloud);
      const window = defaultMoneySettings.claimTicketAgeMaxS;
      const old = await moneyUnchanged(wallet.walletId, async () =>
        claim(wallet.token, { ticket: ticket({ ts: nowS() - window - 60 }) }),
      );
      expect(old.status).toBe(410);
      expect(errorCode(await json(old))).toBe(ErrorCode.TICKET_EXPIRED);
      const future = await moneyUnchanged(wallet.walletId, async () =>
        claim(wallet.token, { ticket: ticket({ ts: nowS() + 600 }) }),
      );
      expect(errorCode(await json(future))).toBe(ErrorCode.TICKET_FROM_FUTURE);

      // A kiosk whose heartbeats report its clock 20 minutes behind: its ticket of "20 minutes ago" is new.
      const late = await enrolKiosk(cloud, world.operator, 'Shanghai', 'Late Tower');
      await cloud.deps.db.execute(
        sql`insert into screen_health (screen_id, last_seen_at, app_version, tap_counter, backlog, clock_skew_s, decks)
            values (${late.screenId}, now(), 'test', 0, 0, 1200, '[]'::jsonb)`,
      );
      const behind = await claim(wallet.token, {
        ticket: ticket({ screenId: late.screenId, key: late.key, ts: nowS() - 1200 }),
      });
      expect(behind.status).toBe(200);
      expect((await json<ClaimReply>(behind)).status).toBe('credited');
      const aheadOfIt = await claim(wallet.token, {
        ticket: ticket({ screenId: late.screenId, key: late.key, ts: nowS() }),
      });
      expect(errorCode(await json(aheadOfIt))).toBe(ErrorCode.TICKET_FROM_FUTURE);
    },
  );

  it.skipIf(!available)('refuses a ticket of a revoked screen', async () => {
    await freshScreen('Tower 6');
    const wallet = await walletSession(cloud);
    const stolen = await enrolKiosk(cloud, world.operator, 'Shanghai', 'Stolen Tower');
    const revoked = await cloud.request('POST', `/v1/screens/${stolen.screenId}/revoke`, {
      token: world.operator,
    });
    expect(revoked.status).toBe(200);
    const response = await moneyUnchanged(wallet.walletId, async () =>
      claim(wallet.token, { ticket: ticket({ screenId: stolen.screenId, key: stolen.key }) }),
    );
    expect(response.status).toBe(403);
    expect(errorCode(await json(response))).toBe(ErrorCode.SCREEN_REVOKED);
  });

  it.skipIf(!available)(
    'refuses claims beyond the screen rate, then takes them again a minute later',
    async () => {
      const busy = await freshScreen('Busy Tower');
      const codes: (string | undefined)[] = [];
      for (let index = 0; index < CLAIMS_PER_MINUTE + 1; index += 1) {
        const wallet = await walletSession(cloud);
        const response = await claim(wallet.token, {
          ticket: ticket({ screenId: busy.screenId, key: busy.key }),
        });
        codes.push(response.status === 200 ? 'ok' : errorCode(await json(response)));
      }
      expect(codes).toEqual([...Array<string>(CLAIMS_PER_MINUTE).fill('ok'), ErrorCode.CLAIM_RATE_LIMITED]);
      // A minute passes for the screen's claims.
      await cloud.deps.db.execute(
        sql`update claims set claimed_at = claimed_at - interval '61 seconds' where screen_id = ${busy.screenId}`,
      );
      const wallet = await walletSession(cloud);
      const later = await claim(wallet.token, { ticket: ticket({ screenId: busy.screenId, key: busy.key }) });
      expect(later.status).toBe(200);
    },
  );

  it.skipIf(!available)('refuses a path the campaign does not offer, with no money moved', async () => {
    await freshScreen('Tower 9');
    const wallet = await walletSession(cloud);
    await cloud.deps.db.execute(
      sql`update campaigns set rules = rules || '{"claimPaths":["tap","sticker"]}'::jsonb where id = ${world.campaignId}`,
    );
    try {
      const result = await moneyUnchanged(wallet.walletId, async () =>
        json<ClaimReply>(await claim(wallet.token, { ticket: ticket({ path: TicketPath.readerTag }) })),
      );
      expect(result).toMatchObject({
        status: 'rejected',
        code: ErrorCode.CLAIM_PATH_NOT_OFFERED,
        amountFen: 0,
      });
      // The screen hears of the refusal with its code, and of no amount or brand.
      await dispatchClaimNotices(
        cloud.deps.db,
        (screenId, notice) => cloud.broker.publishTicketClaimed(screenId, notice),
        new Date(cloud.clock.nowMs),
      );
      expect(cloud.broker.ticketsClaimed).toContainEqual({
        screenId: screen.screenId,
        notice: {
          ticketSeq: result.ticketSeq,
          claimedAt: nowS(),
          result: { status: 'rejected', code: ErrorCode.CLAIM_PATH_NOT_OFFERED },
        },
      });
    } finally {
      await cloud.deps.db.execute(
        sql`update campaigns set rules = rules - 'claimPaths' where id = ${world.campaignId}`,
      );
    }
  });

  it.skipIf(!available)(
    'shares the daily caps with taps: past them a claim gets what the judge decides',
    async () => {
      await freshScreen('Tower 10');
      const wallet = await walletSession(cloud);
      const phone = { walletId: wallet.walletId, serial: 1, key: wallet.phone };
      // One cash tap at the kiosk and one claim reach the campaign's cap of two packets a day.
      const tapped = await json<{ status: string }>(
        await cloud.request('POST', '/v1/redeem', {
          body: { token: toHex(makeTap(kiosk, phone, cloud.clock.nowMs)) },
        }),
      );
      expect(tapped.status).toBe('credited');
      const paid = await json<ClaimReply>(await claim(wallet.token, { ticket: ticket() }));
      expect(paid.status).toBe('credited');
      const capped = await moneyUnchanged(wallet.walletId, async () =>
        json<ClaimReply>(await claim(wallet.token, { ticket: ticket() })),
      );
      expect(capped).toMatchObject({ status: 'rejected', code: ErrorCode.CAP_CAMPAIGN_WALLET, amountFen: 0 });

      // Reports split taps by how they were won; a refused claim counts nowhere.
      const day = localDay(nowS(), 'Asia/Shanghai');
      const report = await json<{
        items: { key: string; taps: number; cashFen: number; impressions: null }[];
      }>(
        await cloud.request(
          'GET',
          `/v1/reports?by=path&from=${day}&to=${day}&campaignId=${String(world.campaignId)}`,
          { token: world.advertiser.token },
        ),
      );
      const byPath = new Map(report.items.map((row) => [row.key, row]));
      expect(byPath.get('tap')?.taps).toBeGreaterThanOrEqual(1);
      expect(byPath.get('qr')?.taps).toBeGreaterThanOrEqual(2);
      expect(byPath.get('qr')?.impressions).toBeNull();
      const [claimed] = await queryRows<{ n: unknown; fen: unknown }>(
        cloud.deps.db,
        sql`select count(*) as n, coalesce(sum(amount_fen), 0) as fen from claims
          where campaign_id = ${world.campaignId} and status = 'credited' and path = 'qr'`,
      );
      expect(byPath.get('qr')).toMatchObject({ taps: int(claimed?.n), cashFen: int(claimed?.fen) });
    },
  );

  it.skipIf(!available)('never overspends: a campaign whose pool is all in decks pays no claim', async () => {
    // The campaign's whole pool goes into the deck of its only screen at activation: it keeps no claim
    // reserve (claim-paths-decks.test.ts shows the default one paying claims).
    const lone = await enrolKiosk(cloud, world.operator, 'Hangzhou');
    const small = await createActiveCampaign(cloud, {
      cities: ['Hangzhou'],
      plan: { kind: 'tiers', tiers: [{ amountFen: 10, count: 10 }] },
      budgetFen: 100,
      couponStock: 0,
      claimReservePercent: 0,
      operator: world.operator,
      advertiser: world.advertiser,
      nowS: nowS(),
    });
    const pooled = await queryRows<{ n: unknown }>(
      cloud.deps.db,
      sql`select count(*) as n from campaign_envelopes where campaign_id = ${small.campaignId} and deck_id is null`,
    );
    expect(int(pooled[0]?.n)).toBe(0);
    const wallet = await walletSession(cloud);
    const budgetBefore = await budgetBalance(small.campaignId);
    const result = await json<ClaimReply>(
      await claim(wallet.token, {
        ticket: ticket({ screenId: lone.screenId, key: lone.key, campaignId: small.campaignId }),
      }),
    );
    expect(result).toMatchObject({ status: 'rejected', code: ErrorCode.CAMPAIGN_EXHAUSTED, amountFen: 0 });
    expect(await budgetBalance(small.campaignId)).toBe(budgetBefore);
    expect(await walletBalance(wallet.walletId)).toBe(0);
    expect((await checkLedger(cloud.deps.db)).ok).toBe(true);
  });

  it.skipIf(!available)(
    'credits a sticker read once: the same wallet gets its result again, a copy is refused, and a read the key did not make is SUN_MAC_INVALID',
    async () => {
      const bezel = await freshScreen('Sticker Tower');
      const batchKey = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
      const uid = '04c1a1b2c3d4e5';
      const imported = await cloud.request('POST', '/v1/tag-batches', {
        token: world.operator,
        body: { name: 'Bezels', masterKey: batchKey.toString('hex'), uids: [uid] },
      });
      expect(imported.status).toBe(201);
      const batch = (await json<{ batch: { id: number } }>(imported)).batch.id;
      const bound = await cloud.request('PUT', `/v1/tags/${uid}/screen`, {
        token: world.operator,
        body: { screenId: bezel.screenId },
      });
      expect(bound.status).toBe(200);
      const readOf = (counter: number) => ({
        batch: String(batch),
        ...sunReadOf({
          metaReadKey: batchMetaReadKey(batchKey),
          fileReadKey: tagFileReadKey(batchKey, Buffer.from(uid, 'hex')),
          uid: Buffer.from(uid, 'hex'),
          counter,
        }),
      });

      const wallet = await walletSession(cloud);
      const read = readOf(7);
      const paid = await json<ClaimReply & { path: string }>(await claim(wallet.token, { sun: read }));
      expect(paid).toMatchObject({ status: 'credited', path: 'sticker', ticketSeq: null, brand: 'Tea Co' });
      expect(await walletBalance(wallet.walletId)).toBe(paid.amountFen);

      // The same wallet posting its read again gets its first result; a copy in another wallet is refused.
      const again = await json<ClaimReply>(await claim(wallet.token, { sun: read }));
      expect(again).toMatchObject({ status: 'credited', amountFen: paid.amountFen, replayed: true });
      const other = await walletSession(cloud);
      const copied = await moneyUnchanged(other.walletId, async () => claim(other.token, { sun: read }));
      expect(copied.status).toBe(409);
      expect(errorCode(await json(copied))).toBe(ErrorCode.TICKET_ALREADY_CLAIMED);
      // An older read never claimed is a replay of the sticker.
      const older = await claim(other.token, { sun: readOf(3) });
      expect(errorCode(await json(older))).toBe(ErrorCode.SUN_COUNTER_REPLAYED);
      const forged = await moneyUnchanged(other.walletId, async () =>
        claim(other.token, { sun: { ...readOf(8), cmac: '0000000000000000' } }),
      );
      expect(errorCode(await json(forged))).toBe(ErrorCode.SUN_MAC_INVALID);
      // The next read of the sticker is a new claim.
      const next = await json<ClaimReply>(await claim(other.token, { sun: readOf(8) }));
      expect(next.status).toBe('credited');
    },
  );

  it.skipIf(!available)(
    'retries a notice the broker refused, and drops it after its attempts or once it is stale',
    async () => {
      const noticed = await freshScreen('Notice Tower');
      // Earlier tests' notices are published first, so the outbox holds only this test's.
      await dispatchClaimNotices(cloud.deps.db, () => Promise.resolve(), new Date(cloud.clock.nowMs));
      const insert = (createdAt: Date, ticketSeq: number) =>
        cloud.deps.db.execute(
          sql`insert into claim_notices (screen_id, payload, created_at)
              values (${noticed.screenId}, ${JSON.stringify({ ticketSeq, claimedAt: nowS() })}::jsonb,
                ${createdAt.toISOString()}::timestamptz)`,
        );
      const now = new Date(cloud.clock.nowMs);
      await insert(now, 1);
      await insert(new Date(now.getTime() - 3_600_000), 2);
      // A stored payload that is no claimed message is dropped, never published.
      await cloud.deps.db.execute(
        sql`insert into claim_notices (screen_id, payload, created_at)
            values (${noticed.screenId}, ${JSON.stringify({ ticketSeq: 0, claimedAt: -1 })}::jsonb,
              ${now.toISOString()}::timestamptz)`,
      );
      const limits = { ...defaultClaimNoticeLimits, attemptsMax: 2 };
      const failing = () => Promise.reject(new Error('broker away'));
      expect(await dispatchClaimNotices(cloud.deps.db, failing, now, limits)).toEqual({
        taken: 3,
        published: 0,
        dropped: 2,
        failed: 1,
      });
      expect(await dispatchClaimNotices(cloud.deps.db, failing, now, limits)).toMatchObject({ failed: 1 });
      expect(await dispatchClaimNotices(cloud.deps.db, failing, now, limits)).toMatchObject({ dropped: 1 });
      const left = await queryRows<{ n: unknown }>(
        cloud.deps.db,
        sql`select count(*) as n from claim_notices`,
      );
      expect(int(left[0]?.n)).toBe(0);
    },
  );

  it.skipIf(!available)('claims nothing when the claim URL is only opened', async () => {
    await freshScreen('Preview Tower');
    const before = await queryRows<{ n: unknown }>(cloud.deps.db, sql`select count(*) as n from claims`);
    const opened = await cloud.app.request(`/claim?t=${ticket()}`);
    expect(opened.status).toBeLessThan(500);
    const after = await queryRows<{ n: unknown }>(cloud.deps.db, sql`select count(*) as n from claims`);
    expect(int(after[0]?.n)).toBe(int(before[0]?.n));
  });

  it.skipIf(!available)('keeps the claim paths a campaign chose, and all when it chose none', async () => {
    const nowSeconds = nowS();
    const creatives = await oneCreative(cloud, world.advertiser.token);
    const body = (rules: Record<string, unknown>) => ({
      name: 'Paths',
      sponsor: 'Tea Co',
      startsAt: nowSeconds + 3600,
      endsAt: nowSeconds + 86_400,
      targeting: { cities: ['Shanghai'], buildings: [], screenGroupIds: [] },
      budgetFen: 100,
      prizePlan: { kind: 'tiers', tiers: [{ amountFen: 10, count: 10 }] },
      couponOffers: [],
      rules: { cashPerWalletPerDay: 1, couponsPerWalletPerDay: 1, fallbackCouponOfferIndex: null, ...rules },
      creatives,
    });
    const chosen = await cloud.request('POST', '/v1/campaigns', {
      token: world.advertiser.token,
      body: body({ claimPaths: ['tap', 'sticker'] }),
    });
    expect(chosen.status).toBe(201);
    expect((await json<{ rules: { claimPaths?: string[] } }>(chosen)).rules.claimPaths).toEqual([
      'tap',
      'sticker',
    ]);
    const all = await cloud.request('POST', '/v1/campaigns', {
      token: world.advertiser.token,
      body: body({}),
    });
    expect((await json<{ rules: { claimPaths?: string[] } }>(all)).rules.claimPaths).toBeUndefined();
    const unknown = await cloud.request('POST', '/v1/campaigns', {
      token: world.advertiser.token,
      body: body({ claimPaths: ['carrier-pigeon'] }),
    });
    expect(unknown.status).toBe(400);
  });

  it.skipIf(!available)(
    "refuses malformed tickets with the codec's code and needs a wallet session",
    async () => {
      const wallet = await walletSession(cloud);
      const garbage = await claim(wallet.token, { ticket: 'not-a-ticket' });
      expect(garbage.status).toBe(400);
      expect(errorCode(await json(garbage))).toBeDefined();
      const anonymous = await cloud.request('POST', '/v1/wallet/claims', { body: { ticket: ticket() } });
      expect(anonymous.status).toBe(401);
    },
  );
});
