// Config dispatch benchmark: how long the config dispatcher takes to publish every active screen's
// retained config after a change that concerns them all (a revocation), and how large the configs are,
// with a given number of unexpired revocations. The fleet is built set-based: --screens active screens
// over --cities cities, 12 active campaigns each targeting some cities, and --revocations revoked
// credentials of one wallet. Publishing goes nowhere (the broker is not measured): the figure is the
// dispatcher's own building, versioning and recording. It reads only what the dispatcher of any commit
// since the desired-state dispatcher has, so it runs unchanged on an older tree for a before/after.
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { sql } from 'drizzle-orm';
import {
  createAdvertiser,
  defaultMoneySettings,
  ephemeralSecrets,
  SECRET_SCRYPT,
  type DatabaseHandle,
} from '@redtap/cloud';
import {
  dispatchScreenConfigs,
  markAllScreenConfigsStale,
  type ConfigDispatchOutcome,
} from '../../../cloud/src/services/config-dispatcher.ts';
import { activeIssuerKey } from '../../../cloud/src/services/issuer-keys.ts';
import { screenConfigOptionsOf } from '../../../cloud/src/services/screen-config.ts';
import type { BenchReport, BenchRow } from './report.ts';
import { openBenchDatabase } from '../lib/bench-database.ts';
import { parseCount, parseCounts, withPostgresUrl } from '../lib/bench-options.ts';

interface Options {
  screens: number;
  revocations: number[];
  cities: number;
  engine: string;
  postgresUrl: string;
}

function parseOptions(args: string[]): Options {
  const program = new Command('config-dispatch');
  withPostgresUrl(program)
    .option('--screens <n>', 'active screens', '5000')
    .option('--revocations <list>', 'unexpired revocations, one run each', '0,10000')
    .option('--cities <n>', 'cities the screens are spread over', '50')
    .option('--engine <name>', 'postgres or pglite', 'postgres')
    .exitOverride();
  program.parse(args, { from: 'user' });
  const raw = program.opts<{
    screens: string;
    revocations: string;
    cities: string;
    engine: string;
    postgresUrl: string;
  }>();
  return {
    screens: parseCount(raw.screens),
    revocations: parseCounts(raw.revocations),
    cities: parseCount(raw.cities),
    engine: raw.engine,
    postgresUrl: raw.postgresUrl,
  };
}

async function rows<T>(handle: DatabaseHandle, query: ReturnType<typeof sql>): Promise<T[]> {
  const result: unknown = await handle.db.execute(query);
  return (result as { rows: T[] }).rows;
}

async function buildFleet(handle: DatabaseHandle, options: Options): Promise<number> {
  const { advertiser } = await createAdvertiser(
    handle.db,
    { name: 'Bench brand', email: `bench-${Date.now()}@example.com`, password: 'bench-password' },
    SECRET_SCRYPT,
  );
  const accountId = advertiser.ledgerAccountId;
  await activeIssuerKey(handle.db, ephemeralSecrets().issuerKek);
  const nowS = Math.floor(Date.now() / 1000);
  // 12 campaigns: campaign k targets the cities whose number is k mod 12, and every third one all cities.
  await handle.db.execute(
    sql`insert into campaigns (advertiser_id, name, sponsor, status, starts_at, ends_at, dayparts, targeting,
          budget_fen, prize_plan, rules, creatives, budget_account_id)
        select ${advertiser.id}, 'Campaign ' || k, 'Sponsor', 'active', ${nowS - 86_400}::bigint,
          ${nowS + 30 * 86_400}::bigint, '[]'::jsonb,
          jsonb_build_object('cities', case when k % 3 = 0 then '[]'::jsonb else
            (select jsonb_agg('City ' || c) from generate_series(0, ${options.cities - 1}) as c where c % 12 = k)
            end, 'buildings', '[]'::jsonb, 'screenGroupIds', '[]'::jsonb),
          1, '{"tiers":[]}'::jsonb,
          '{"cashPerWalletPerDay":1,"couponsPerWalletPerDay":0,"fallbackCouponOfferId":0}'::jsonb,
          '[]'::jsonb, ${accountId}
        from generate_series(0, 11) as k`,
  );
  await handle.db.execute(
    sql`insert into screens (name, city, building, elevator, timezone, status)
        select 'Screen ' || n, 'City ' || (n % ${options.cities}), 'Building ' || (n % 500), 'E1',
          'Asia/Shanghai', 'active'
        from generate_series(1, ${options.screens}) as n`,
  );
  // Trees that keep the targeted screens of each campaign in campaign_screens read them from there.
  const [stored] = await rows<{ n: unknown }>(
    handle,
    sql`select count(*) as n from information_schema.tables where table_name = 'campaign_screens'`,
  );
  if (Number(stored?.n) > 0)
    await handle.db.execute(
      sql`insert into campaign_screens (campaign_id, screen_id)
          select c.id, s.id from campaigns c join screens s
            on jsonb_array_length(c.targeting->'cities') = 0 or c.targeting->'cities' ? s.city`,
    );
  const [wallet] = await rows<{ id: unknown }>(
    handle,
    sql`insert into wallets (ledger_account_id) values (${accountId}) returning id`,
  );
  return Number(wallet?.id);
}

/** Revokes credentials of the wallet until `total` unexpired revocations exist, numbered where the tree numbers. */
async function revokeUpTo(
  handle: DatabaseHandle,
  walletId: number,
  from: number,
  total: number,
): Promise<void> {
  if (total <= from) return;
  const count = total - from;
  const nowS = Math.floor(Date.now() / 1000);
  const [numbered] = await rows<{ n: unknown }>(
    handle,
    sql`select count(*) as n from information_schema.columns
        where table_name = 'wallet_credentials' and column_name = 'revocation_seq'`,
  );
  if (Number(numbered?.n) > 0)
    await handle.db.execute(
      sql.raw(`with head as (update revocation_head set seq = seq + ${count} where id = 1 returning seq)
        insert into wallet_credentials (wallet_id, serial, issuer_key_id, expires_at, revoked_at, revocation_seq)
        select ${walletId}, ${from} + n, 0, ${nowS + 30 * 86_400}, now(), head.seq - ${count} + n
        from generate_series(1, ${count}) as n, head`),
    );
  else
    await handle.db.execute(
      sql.raw(`insert into wallet_credentials (wallet_id, serial, issuer_key_id, expires_at, revoked_at)
        select ${walletId}, ${from} + n, 0, ${nowS + 30 * 86_400}, now() from generate_series(1, ${count}) as n`),
    );
  await handle.db.execute(sql`analyze wallet_credentials`);
}

export async function run(args: string[]): Promise<BenchReport> {
  const options = parseOptions(args);
  const { handle, drop } = await openBenchDatabase(options.engine, {
    adminUrl: options.postgresUrl,
    prefix: 'redtap_bench_configs',
    poolSizeMax: 10,
  });
  const reportRows: BenchRow[] = [];
  const data: Record<string, unknown> = {};
  try {
    const walletId = await buildFleet(handle, options);
    let revoked = 0;
    const settings = { money: defaultMoneySettings };
    for (const revocations of options.revocations) {
      await revokeUpTo(handle, walletId, revoked, revocations);
      revoked = Math.max(revoked, revocations);
      await markAllScreenConfigsStale(handle.db);
      let bytes = 0;
      let bytesMax = 0;
      const total: ConfigDispatchOutcome = { claimed: 0, published: 0, superseded: 0, skipped: 0, failed: 0 };
      const startMs = performance.now();
      for (;;) {
        const outcome = await dispatchScreenConfigs({
          db: handle.db,
          publish: (_screenId, config) => {
            const size = Buffer.byteLength(JSON.stringify(config));
            bytes += size;
            bytesMax = Math.max(bytesMax, size);
            return Promise.resolve();
          },
          options: () => screenConfigOptionsOf(settings),
          now: () => new Date(),
        });
        for (const key of Object.keys(total) as (keyof ConfigDispatchOutcome)[]) total[key] += outcome[key];
        if (outcome.claimed === 0 || outcome.failed > 0) break;
      }
      const seconds = (performance.now() - startMs) / 1000;
      const [failure] = await rows<{ last_error: string | null }>(
        handle,
        sql`select last_error from screen_config_state where last_error is not null limit 1`,
      );
      if (failure !== undefined) console.error(`a publish failed: ${JSON.stringify(failure.last_error)}`);
      const label = `${options.engine}, ${options.screens.toLocaleString('en')} screens, ${revocations.toLocaleString('en')} revocations`;
      console.log(`${label}: ${total.published} published in ${seconds.toFixed(1)} s`);
      data[label] = { seconds, ...total, bytesMean: bytes / Math.max(1, total.published), bytesMax };
      reportRows.push(
        {
          metric: `${label}: dispatch all`,
          result: `${seconds.toFixed(1)} s (${total.published} published, ${total.failed} failed)`,
        },
        { metric: `${label}: configs/s`, result: (total.published / seconds).toFixed(0) },
        {
          metric: `${label}: config bytes mean / max`,
          result: `${Math.round(bytes / Math.max(1, total.published)).toLocaleString('en')} / ${bytesMax.toLocaleString('en')}`,
        },
      );
    }
  } finally {
    await drop();
  }
  return { name: 'config-dispatch', rows: reportRows, data };
}
