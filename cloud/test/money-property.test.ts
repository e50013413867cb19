// Property: random sequences of taps — valid, forged, replayed, raced across both paths, late and
// capped — never break the ledger, never overspend a budget, and credit every valid tap exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { encodeTapBatch, generateKeyPair, toHex, type AckResult } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { checkLedger } from '../src/ledger/check-ledger.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, json, type TestCloud } from './harness.ts';
import { buildWorld, makeTap, registerPhone, tiersPlan, type Kiosk, type World } from './money-world.ts';

const engines = await testEngines();

type Action =
  | { kind: 'valid'; kiosk: number; path: 'mqtt' | 'http' }
  | { kind: 'forged'; kiosk: number; what: 'phone' | 'screen' }
  | { kind: 'replay'; path: 'mqtt' | 'http' }
  | { kind: 'race'; kiosk: number }
  | { kind: 'late'; kiosk: number }
  | { kind: 'capped'; kiosk: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('valid' as const),
    kiosk: fc.nat(1),
    path: fc.constantFrom('mqtt' as const, 'http' as const),
  }),
  fc.record({
    kind: fc.constant('forged' as const),
    kiosk: fc.nat(1),
    what: fc.constantFrom('phone' as const, 'screen' as const),
  }),
  fc.record({
    kind: fc.constant('replay' as const),
    path: fc.constantFrom('mqtt' as const, 'http' as const),
  }),
  fc.record({ kind: fc.constant('race' as const), kiosk: fc.nat(1) }),
  fc.record({ kind: fc.constant('late' as const), kiosk: fc.nat(1) }),
  fc.record({ kind: fc.constant('capped' as const), kiosk: fc.nat(1) }),
);

describe.each(engines)('redemption properties on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    world = await buildWorld(cloud, {
      cities: ['Shenzhen', 'Shenzhen'],
      plan: tiersPlan(60_000),
      budgetFen: 60_000,
    });
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  async function viaMqtt(kiosk: Kiosk, tokens: Uint8Array[]): Promise<AckResult[]> {
    const from = cloud.broker.acks.length;
    await cloud.broker.deliverTapBatch({ screenId: kiosk.screenId, payload: encodeTapBatch(tokens) });
    return (await cloud.broker.nextAck(kiosk.screenId, from)).results;
  }
  async function viaHttp(token: Uint8Array): Promise<{ status: string }> {
    return json(await cloud.request('POST', '/v1/redeem', { body: { token: toHex(token) } }));
  }

  it.skipIf(!available)('keeps the ledger whole and credits each valid tap exactly once', async () => {
    const sent: { token: Uint8Array; kiosk: Kiosk }[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 8 }), async (actions) => {
        for (const step of actions) {
          const kiosk = world.kiosks[step.kind === 'replay' ? 0 : step.kiosk] as Kiosk;
          const now = cloud.clock.nowMs;
          if (step.kind === 'valid') {
            const token = makeTap(kiosk, await registerPhone(cloud), now);
            sent.push({ token, kiosk });
            const status =
              step.path === 'mqtt'
                ? (await viaMqtt(kiosk, [token]))[0]?.status
                : (await viaHttp(token)).status;
            expect(status).toBe('credited');
          } else if (step.kind === 'forged') {
            const phone = await registerPhone(cloud);
            const token = makeTap(
              kiosk,
              phone,
              now,
              step.what === 'phone' ? { phoneKey: generateKeyPair() } : { screenKey: generateKeyPair() },
            );
            expect((await viaMqtt(kiosk, [token]))[0]?.status).toBe('rejected');
          } else if (step.kind === 'replay') {
            const earlier = sent.at(-1);
            if (earlier === undefined) continue;
            const status =
              step.path === 'mqtt'
                ? (await viaMqtt(earlier.kiosk, [earlier.token]))[0]?.status
                : (await viaHttp(earlier.token)).status;
            expect(status).toBe('duplicate');
          } else if (step.kind === 'race') {
            const token = makeTap(kiosk, await registerPhone(cloud), now);
            sent.push({ token, kiosk });
            const [ack, reply] = await Promise.all([viaMqtt(kiosk, [token]), viaHttp(token)]);
            expect([ack[0]?.status, reply.status].sort()).toEqual(['credited', 'duplicate']);
          } else if (step.kind === 'late') {
            const deck = kiosk.decks[0];
            const token = makeTap(kiosk, await registerPhone(cloud), now, {
              ts: (deck?.validUntil ?? 0) + 5,
            });
            expect((await viaMqtt(kiosk, [token]))[0]?.status).toBe('rejected');
          } else {
            const phone = await registerPhone(cloud);
            const results = await viaMqtt(
              kiosk,
              Array.from({ length: 7 }, () => makeTap(kiosk, phone, now)),
            );
            expect(results.filter((r) => r.status === 'credited')).toHaveLength(5);
          }
        }
        const ledger = await checkLedger(cloud.deps.db);
        expect(ledger.ok).toBe(true);
        // No budget overspent: credited + held + escrow + budget is exactly what was funded.
        const [totals] = await queryRows<{ spent: unknown; escrow: unknown; budget: unknown }>(
          cloud.deps.db,
          sql`select
                (select coalesce(sum(amount_fen), 0) from redemptions where campaign_id = ${world.campaignId}
                   and status in ('credited', 'held', 'released')) as spent,
                (select coalesce(sum(a.credits_posted_fen - a.debits_posted_fen), 0) from decks d
                   join ledger_accounts a on a.id = d.escrow_account_id where d.campaign_id = ${world.campaignId}) as escrow,
                (select a.credits_posted_fen - a.debits_posted_fen from campaigns c
                   join ledger_accounts a on a.id = c.budget_account_id where c.id = ${world.campaignId}) as budget`,
        );
        expect(int(totals?.spent) + int(totals?.escrow) + int(totals?.budget)).toBe(world.budgetFen);
        // Each identity is recorded at most once, and what wallets hold is what was credited.
        const [wallets] = await queryRows<{ held: unknown; credited: unknown }>(
          cloud.deps.db,
          sql`select (select coalesce(sum(credits_posted_fen - debits_posted_fen), 0) from ledger_accounts where kind = 'wallet_cash') as held,
                     (select coalesce(sum(amount_fen), 0) from redemptions where status in ('credited', 'released')) as credited`,
        );
        expect(int(wallets?.held)).toBe(int(wallets?.credited));
      }),
      { numRuns: 6, seed: 20261121 },
    );
  });
});
