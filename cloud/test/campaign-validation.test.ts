// What the campaign API refuses, on PGlite and PostgreSQL: each refusal names the field it concerns with a
// stable code and the numbers its message needs (error.fields), from the one request schema the console's
// wizard checks too (shared campaign-body.ts). Also the edit rules: a draft entirely, a paused campaign only
// in what spends no money, anything else CONFLICT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, FieldCode } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { advertiserSession, createTestCloud, json, operatorToken, type TestCloud } from './harness.ts';

const DAY_S = 86_400;
const engines = await testEngines();

interface ErrorReply {
  error: {
    code: string;
    message: string;
    params?: Record<string, string | number>;
    fields?: { path: string; code: string; message: string; params?: Record<string, string | number> }[];
  };
}

/** Twelve bytes that sniff as PNG, distinct per call. */
let pngSequence = 0;
function pngBytes(): Uint8Array {
  pngSequence += 1;
  return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, pngSequence]);
}

for (const { engine, available, reason } of engines) {
  describe.skipIf(!available)(`campaign validation on ${engine}${available ? '' : ` (${reason})`}`, () => {
    let handle: DatabaseHandle;
    let cloud: TestCloud;
    let operator: string;
    let advertiser: { token: string; advertiserId: number };
    let nowS: number;
    let creative: string;

    const upload = (bytes: Uint8Array, type: string) =>
      cloud.app.request('/v1/content', {
        method: 'POST',
        headers: { authorization: `Bearer ${advertiser.token}`, 'content-type': type },
        body: bytes,
      });

    const body = (overrides: Record<string, unknown> = {}) => ({
      name: 'Noon tea',
      sponsor: 'Tea Co',
      startsAt: nowS + 3600,
      endsAt: nowS + 30 * DAY_S,
      dayparts: [{ days: [1, 2, 3], startMinute: 660, endMinute: 780 }],
      budgetFen: 1_000,
      prizePlan: { kind: 'tiers', tiers: [{ amountFen: 100, count: 10 }] },
      couponOffers: [
        { title: 'Free upsize', valueFen: 500, stock: 10, validUntil: nowS + 60 * DAY_S, validityDays: 30 },
      ],
      rules: { cashPerWalletPerDay: 1, couponsPerWalletPerDay: 1, fallbackCouponOfferIndex: 0 },
      creatives: [{ sha256: creative, durationMs: 15_000 }],
      ...overrides,
    });
    const offer = (overrides: Record<string, unknown>) => [
      {
        title: 'Free upsize',
        valueFen: 500,
        stock: 10,
        validUntil: nowS + 60 * DAY_S,
        validityDays: 30,
        ...overrides,
      },
    ];

    const create = (payload: unknown) =>
      cloud.request('POST', '/v1/campaigns', { token: advertiser.token, body: payload });
    const refusal = async (response: Response) => {
      const reply = await json<ErrorReply>(response);
      return { status: response.status, ...reply.error };
    };

    beforeAll(async () => {
      handle = await openTestDatabase(engine);
      cloud = createTestCloud(handle);
      nowS = Math.floor(cloud.clock.nowMs / 1000);
      operator = await operatorToken(cloud);
      advertiser = await advertiserSession(cloud, operator);
      const stored = await upload(pngBytes(), 'image/png');
      expect(stored.status).toBe(201);
      creative = (await json<{ sha256: string }>(stored)).sha256;
    }, 120_000);
    afterAll(async () => {
      await handle.close();
    });

    it('accepts the complete campaign the cases below each spoil', async () => {
      expect((await create(body())).status).toBe(201);
    });

    it('refuses a campaign without a creative, left out or empty, at `creatives` on create and edit', async () => {
      const { creatives: _left, ...without } = body();
      const draft = await json<{ id: number }>(await create(body()));
      const edit = (payload: unknown) =>
        cloud.request('PUT', `/v1/campaigns/${String(draft.id)}`, { token: advertiser.token, body: payload });
      for (const [payload, code] of [
        [without, FieldCode.REQUIRED],
        [body({ creatives: [] }), FieldCode.CREATIVE_MISSING],
      ] as const) {
        for (const send of [create, edit]) {
          const error = await refusal(await send(payload));
          expect(error.status).toBe(400);
          expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
          expect(error.fields).toEqual([expect.objectContaining({ path: 'creatives', code })]);
        }
      }
      // The draft keeps the creative it was stored with.
      const stored = await json<{ creatives: { sha256: string }[] }>(
        await cloud.request('GET', `/v1/campaigns/${String(draft.id)}`, { token: advertiser.token }),
      );
      expect(stored.creatives.map((c) => c.sha256)).toEqual([creative]);
    });

    it('names a 300-character coupon title as too long, with the bound', async () => {
      const error = await refusal(await create(body({ couponOffers: offer({ title: 'x'.repeat(300) }) })));
      expect(error.status).toBe(400);
      expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
      expect(error.fields).toEqual([
        expect.objectContaining({
          path: 'couponOffers.0.title',
          code: FieldCode.TOO_LONG,
          params: { maximum: 200 },
        }),
      ]);
    });

    it.each([
      ['a start in the past', { startsAt: nowSOf() - 30 * DAY_S }, 'startsAt', FieldCode.STARTS_IN_PAST],
      [
        'an end in the past',
        { startsAt: nowSOf() - DAY_S, endsAt: nowSOf() - 60 },
        'endsAt',
        FieldCode.ENDS_IN_PAST,
      ],
      [
        'a daypart with no days',
        { dayparts: [{ days: [], startMinute: 660, endMinute: 780 }] },
        'dayparts.0.days',
        FieldCode.DAYPART_NO_DAYS,
      ],
      [
        'a daypart that ends before it starts',
        { dayparts: [{ days: [1], startMinute: 780, endMinute: 660 }] },
        'dayparts.0.endMinute',
        FieldCode.DAYPART_ENDS_BEFORE_START,
      ],
      [
        'more than 65,535 lucky envelopes',
        {
          prizePlan: { kind: 'lucky', totalFen: 1_000_000, count: 65_536, minFen: 1, maxFen: 100 },
          budgetFen: 1_000_000,
        },
        'prizePlan.count',
        FieldCode.TOO_BIG,
      ],
      [
        'tiers of more than 65,535 envelopes',
        {
          prizePlan: {
            kind: 'tiers',
            tiers: [
              { amountFen: 1, count: 65_535 },
              { amountFen: 1, count: 1 },
            ],
          },
          budgetFen: 65_536,
        },
        'prizePlan.tiers',
        FieldCode.ENVELOPES_TOO_MANY,
      ],
      ['no creative', { creatives: [] }, 'creatives', FieldCode.CREATIVE_MISSING],
      [
        'a creative of 1,510 seconds',
        { creatives: [{ sha256: 'a'.repeat(64), durationMs: 1_510_000 }] },
        'creatives.0.durationMs',
        FieldCode.TOO_BIG,
      ],
      [
        'a fallback that names no offer',
        { rules: { cashPerWalletPerDay: 1, couponsPerWalletPerDay: 1, fallbackCouponOfferIndex: 3 } },
        'rules.fallbackCouponOfferIndex',
        FieldCode.FALLBACK_NO_OFFER,
      ],
    ] as const)('refuses %s on its field', async (_case, overrides, path, code) => {
      const error = await refusal(await create(body(overrides)));
      expect(error.status).toBe(400);
      expect(error.fields).toContainEqual(expect.objectContaining({ path, code }));
    });

    it.each([
      ['negative stock', { stock: -5 }, 'couponOffers.0.stock', FieldCode.TOO_SMALL],
      ['zero stock', { stock: 0 }, 'couponOffers.0.stock', FieldCode.TOO_SMALL],
      ['a coupon worth ¥0', { valueFen: 0 }, 'couponOffers.0.valueFen', FieldCode.TOO_SMALL],
      ['negative days valid', { validityDays: -3 }, 'couponOffers.0.validityDays', FieldCode.TOO_SMALL],
      [
        'a coupon already expired',
        { validUntil: nowSOf() - DAY_S },
        'couponOffers.0.validUntil',
        FieldCode.COUPON_VALID_UNTIL_PAST,
      ],
    ] as const)(
      'refuses a coupon offer with %s, never making it positive',
      async (_case, overrides, path, code) => {
        const error = await refusal(await create(body({ couponOffers: offer(overrides) })));
        expect(error.status).toBe(400);
        expect(error.fields).toContainEqual(expect.objectContaining({ path, code }));
      },
    );

    it('names the upload whose bytes are text, with the accepted types', async () => {
      const error = await refusal(
        await upload(new TextEncoder().encode('just some notes, not a picture'), 'text/plain'),
      );
      expect(error.status).toBe(400);
      expect(error.fields).toEqual([
        expect.objectContaining({ path: 'file', code: FieldCode.CONTENT_TYPE_UNSUPPORTED }),
      ]);
    });

    it('says by how much a funding would overfill the budget', async () => {
      await cloud.request('POST', `/v1/advertisers/${advertiser.advertiserId}/funding`, {
        token: operator,
        body: { amountFen: 100_000, transferId: 900_001 },
      });
      const campaign = await json<{ id: number }>(
        await create(
          body({ budgetFen: 6_000, prizePlan: { kind: 'tiers', tiers: [{ amountFen: 600, count: 10 }] } }),
        ),
      );
      const fund = (amountFen: number, transferId: number) =>
        cloud.request('POST', `/v1/campaigns/${campaign.id}/funding`, {
          token: advertiser.token,
          body: { amountFen, transferId },
        });
      expect((await fund(5_000, 900_002)).status).toBe(200);
      const error = await refusal(await fund(2_000, 900_003));
      expect(error.status).toBe(400);
      expect(error.code).toBe(ErrorCode.MONEY_INVALID);
      expect(error.fields).toEqual([
        expect.objectContaining({
          path: 'amountFen',
          code: FieldCode.BUDGET_EXCEEDED,
          params: { budgetFen: 6_000, balanceFen: 5_000, roomFen: 1_000 },
        }),
      ]);
    });

    it('edits a draft entirely, a paused campaign only where no money moves, and nothing else', async () => {
      const created = await json<{ id: number; couponOffers: { id: number }[] }>(await create(body()));
      const put = (payload: unknown, token = advertiser.token) =>
        cloud.request('PUT', `/v1/campaigns/${created.id}`, { token, body: payload });
      const edited = await put(
        body({ name: 'Afternoon tea', couponOffers: offer({ title: 'Free refill', stock: 20 }) }),
      );
      expect(edited.status).toBe(200);
      const view = await json<{ name: string; couponOffers: { id: number; title: string }[] }>(edited);
      expect(view.name).toBe('Afternoon tea');
      // The offer is edited in place: a store that takes it keeps taking it.
      expect(view.couponOffers).toEqual([
        expect.objectContaining({ id: created.couponOffers[0]?.id, title: 'Free refill' }),
      ]);
      // An edit is checked like a creation.
      expect((await refusal(await put(body({ couponOffers: offer({ stock: 0 }) })))).fields).toContainEqual(
        expect.objectContaining({ path: 'couponOffers.0.stock', code: FieldCode.TOO_SMALL }),
      );

      const transition = (name: string, token: string) =>
        cloud.request('POST', `/v1/campaigns/${created.id}/transitions`, {
          token,
          body: { transition: name },
        });
      expect((await transition('submit', advertiser.token)).status).toBe(200);
      const submitted = await refusal(await put(body({ name: 'Too late' })));
      expect([submitted.status, submitted.code]).toEqual([409, ErrorCode.CONFLICT]);

      expect((await transition('approve', operator)).status).toBe(200);
      const funded = await cloud.request('POST', `/v1/campaigns/${created.id}/funding`, {
        token: advertiser.token,
        body: { amountFen: 1_000, transferId: 900_010 },
      });
      expect(funded.status).toBe(200);
      expect((await transition('activate', advertiser.token)).status).toBe(200);
      expect((await transition('pause', advertiser.token)).status).toBe(200);
      const running = body({
        name: 'Afternoon tea',
        couponOffers: offer({ title: 'Free refill', stock: 20 }),
      });
      const renamed = await put({
        ...running,
        name: 'Evening tea',
        rules: { ...running.rules, cashPerWalletPerDay: 2 },
      });
      expect(renamed.status).toBe(200);
      expect(await json<{ name: string; rules: { cashPerWalletPerDay: number } }>(renamed)).toMatchObject({
        name: 'Evening tea',
        rules: { cashPerWalletPerDay: 2 },
      });
      const locked = await refusal(
        await put({
          ...running,
          budgetFen: 2_000,
          prizePlan: { kind: 'tiers', tiers: [{ amountFen: 200, count: 10 }] },
        }),
      );
      expect([locked.status, locked.code]).toEqual([409, ErrorCode.CONFLICT]);
      expect(locked.fields?.map((field) => [field.path, field.code])).toEqual([
        ['budgetFen', FieldCode.LOCKED_WHILE_RUNNING],
        ['prizePlan', FieldCode.LOCKED_WHILE_RUNNING],
      ]);
    });

    it('lists only the campaigns in the status asked for, a page at a time to the last', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const created = await create(body({ name: `Queue ${i}` }));
        expect(created.status).toBe(201);
        ids.push((await json<{ id: number }>(created)).id);
      }
      const submittedIds = ids.filter((_, i) => i % 2 === 0);
      for (const id of submittedIds) {
        const submitted = await cloud.request('POST', `/v1/campaigns/${id}/transitions`, {
          token: advertiser.token,
          body: { transition: 'submit' },
        });
        expect(submitted.status).toBe(200);
      }
      const seen: { id: number; status: string }[] = [];
      let after = 0;
      for (let pages = 0; pages < 20; pages++) {
        const page = await json<{ items: { id: number; status: string }[]; nextAfter: number | null }>(
          await cloud.request('GET', `/v1/campaigns?status=submitted&limit=2&after=${after}`, { token: operator }),
        );
        seen.push(...page.items);
        if (page.nextAfter === null) break;
        after = page.nextAfter;
      }
      expect(seen.every((campaign) => campaign.status === 'submitted')).toBe(true);
      expect(seen.map((campaign) => campaign.id)).toEqual(expect.arrayContaining(submittedIds));
      expect(seen.map((campaign) => campaign.id)).not.toContain(ids[1]);
      const unknown = await refusal(await cloud.request('GET', '/v1/campaigns?status=lost', { token: operator }));
      expect([unknown.status, unknown.code]).toEqual([400, ErrorCode.VALIDATION_FAILED]);
    });
  });
}

function nowSOf(): number {
  return Math.floor(Date.now() / 1000);
}
