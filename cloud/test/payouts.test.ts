// Payouts end to end through the HTTP app, on PGlite and PostgreSQL, with the ledger checked after every
// step: a wallet links a validated payout account (shown masked); its withdrawal carries the payee; the
// operator's export marks a batch exported (in flight) exactly once and moves nothing yet; the provider's
// result file marks each withdrawal paid (money leaves) or failed (money back in the wallet) exactly once,
// a re-import changes nothing, and a malformed file or a row of another batch is refused with its line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, luhnValid } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { checkLedger } from '../src/ledger/check-ledger.ts';
import { getLedgerAccount, systemLedgerAccount } from '../src/ledger/accounts.ts';
import { postTransfers } from '../src/ledger/post-transfers.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, json, operatorToken, walletSession, type TestCloud } from './harness.ts';
import { nextTransferId } from './money-world.ts';

const engines = await testEngines();
const BOM = '\uFEFF'; // a result file may start with one, as spreadsheets save it

/** A 19-digit card number starting 6222 (UnionPay) with its Luhn check digit. */
function cardNumber(body: string): string {
  const digit = '0123456789'.split('').find((d) => luhnValid(body + d)) ?? '';
  return body + digit;
}

interface Withdrawal {
  id: number;
  amountFen: number;
  status: string;
  payee: string | null;
  failureReason: string | null;
}

describe.each(engines)('payouts on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    operator = await operatorToken(cloud);
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  async function expectLedgerOk(): Promise<void> {
    const check = await checkLedger(cloud.deps.db);
    expect(check, JSON.stringify(check)).toMatchObject({ ok: true, totalFen: 0 });
  }

  async function walletAccount(walletId: number): Promise<number> {
    const [row] = await queryRows<{ id: unknown }>(
      cloud.deps.db,
      sql`select ledger_account_id as id from wallets where id = ${walletId}`,
    );
    return int(row?.id);
  }

  async function balanceOf(accountId: number): Promise<number> {
    return (await getLedgerAccount(cloud.deps.db, accountId))?.balanceFen ?? -1;
  }

  /** A wallet session holding `fen` from the outside. */
  async function fundedWallet(fen: number): Promise<{ token: string; walletId: number; accountId: number }> {
    const session = await walletSession(cloud);
    const accountId = await walletAccount(session.walletId);
    const bank = await systemLedgerAccount(cloud.deps.db, 'external_funding');
    const [posted] = await postTransfers(cloud.deps.db, [
      {
        id: nextTransferId(),
        debitAccountId: bank,
        creditAccountId: accountId,
        amountFen: fen,
        code: 'test',
      },
    ]);
    expect(posted?.status).toBe('posted');
    return { token: session.token, walletId: session.walletId, accountId };
  }

  const link = (token: string, body: Record<string, unknown>) =>
    cloud.request('PUT', '/v1/wallets/me/payout-account', { token, body });
  const withdraw = (token: string, amountFen: number) =>
    cloud.request('POST', '/v1/wallets/me/withdrawals', {
      token,
      body: { amountFen, idempotencyKey: `payout-${String(nextTransferId())}` },
    });
  const importResults = (exportId: number, csv: string) =>
    cloud.app.request(`/v1/settlements/${String(exportId)}/results`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'text/csv' },
      body: csv,
    });
  const errorOf = async (response: Response) =>
    [response.status, (await json<{ error: { code: string; message: string } }>(response)).error] as const;

  it.skipIf(!available)(
    'links a payout account only when it is valid, shows it masked, and withdraws only to one',
    async () => {
      const wallet = await fundedWallet(1_000);
      const missing = await withdraw(wallet.token, 100);
      expect((await errorOf(missing))[1].code).toBe(ErrorCode.PAYOUT_ACCOUNT_MISSING);
      expect(missing.status).toBe(409);
      const refusals: [Record<string, unknown>, string][] = [
        [{ kind: 'alipay', account: '12345', holderName: '李雷' }, ErrorCode.ALIPAY_ACCOUNT_INVALID],
        [{ kind: 'alipay', account: '13800138000', holderName: 'x' }, ErrorCode.HOLDER_NAME_INVALID],
        [
          { kind: 'bank_card', account: '6222020200000000001', holderName: '李雷', bankName: '工商银行' },
          luhnValid('6222020200000000001') ? 'none' : ErrorCode.BANK_CARD_INVALID,
        ],
        [
          { kind: 'bank_card', account: cardNumber('622202020000000012'), holderName: '李雷' },
          ErrorCode.BANK_NAME_INVALID,
        ],
        [{ kind: 'wechat', account: 'x', holderName: '李雷' }, ErrorCode.VALIDATION_FAILED],
      ];
      for (const [body, code] of refusals) {
        const refused = await link(wallet.token, body);
        expect([refused.status, (await errorOf(refused))[1].code], JSON.stringify(body)).toEqual([400, code]);
      }
      const none = await json<{ account: null }>(
        await cloud.request('GET', '/v1/wallets/me/payout-account', { token: wallet.token }),
      );
      expect(none.account).toBeNull();

      const card = cardNumber('622202020000000012');
      const linked = await link(wallet.token, {
        kind: 'bank_card',
        account: `${card.slice(0, 4)} ${card.slice(4, 8)} ${card.slice(8)}`,
        holderName: '李雷',
        bankName: '中国工商银行',
      });
      expect(linked.status).toBe(200);
      const shown = await cloud.request('GET', '/v1/wallets/me/payout-account', { token: wallet.token });
      const text = await shown.text();
      expect(text).not.toContain(card.slice(0, 12));
      expect(JSON.parse(text)).toMatchObject({
        account: {
          kind: 'bank_card',
          account: `**** ${card.slice(-4)}`,
          holderName: '李*',
          bankName: '中国工商银行',
        },
      });
      expect((await withdraw(wallet.token, 100)).status).toBe(201);
      await expectLedgerOk();
    },
  );

  it.skipIf(!available)(
    'exports a batch with its payees once (in flight, nothing paid), and imports the result file exactly once',
    async () => {
      // Earlier tests' withdrawals go into the first batch too; this test reads its own rows.
      const alipayPhone = await fundedWallet(500);
      const alipayEmail = await fundedWallet(500);
      const card = await fundedWallet(500);
      const cardDigits = cardNumber('622848001234567890');
      expect(
        (
          await link(alipayPhone.token, {
            kind: 'alipay',
            account: '+86 138 0013 8000',
            holderName: '韩梅梅',
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await link(alipayEmail.token, {
            kind: 'alipay',
            account: 'Li.Lei@Example.com',
            holderName: 'Li Lei',
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await link(card.token, {
            kind: 'bank_card',
            account: cardDigits,
            holderName: '王芳',
            bankName: '中国农业银行',
          })
        ).status,
      ).toBe(200);
      const made: Withdrawal[] = [];
      for (const [wallet, fen] of [
        [alipayPhone, 120],
        [alipayEmail, 234],
        [card, 345],
      ] as const) {
        const response = await withdraw(wallet.token, fen);
        expect(response.status).toBe(201);
        made.push(await json<Withdrawal>(response));
      }
      expect(made.map((w) => [w.status, w.payee])).toEqual([
        ['pending', 'alipay 138****8000'],
        ['pending', 'alipay l***@example.com'],
        ['pending', `bank_card **** ${cardDigits.slice(-4)}`],
      ]);
      const clearing = await systemLedgerAccount(cloud.deps.db, 'withdrawal_clearing');
      const clearingBefore = await balanceOf(clearing);
      await expectLedgerOk();

      const exported = await cloud.request('POST', '/v1/settlements', { token: operator });
      expect(exported.status).toBe(200);
      const exportId = Number(exported.headers.get('x-settlement-export-id'));
      const batchId = `settlement-${String(exportId)}`;
      expect(exported.headers.get('x-settlement-batch-id')).toBe(batchId);
      // UTF-8 with a BOM, so a spreadsheet reads the Chinese names; yuan beside fen. (Response.text()
      // would drop the BOM: read the bytes.)
      const bytes = new Uint8Array(await exported.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = new TextDecoder('utf-8', { ignoreBOM: true })
        .decode(bytes)
        .slice(1)
        .trimEnd()
        .split('\n');
      expect(lines[0]).toBe(
        'batch_id,withdrawal_id,wallet_id,payee_kind,payee_account,payee_name,payee_bank,amount_fen,amount_yuan,requested_at',
      );
      const line = (id: number) => lines.find((l) => l.startsWith(`${batchId},${String(id)},`)) ?? '';
      expect(line(made[0]?.id ?? 0)).toContain(
        `,${String(alipayPhone.walletId)},alipay,13800138000,韩梅梅,,120,1.20,`,
      );
      expect(line(made[1]?.id ?? 0)).toContain(',alipay,li.lei@example.com,Li Lei,,234,2.34,');
      expect(line(made[2]?.id ?? 0)).toContain(`,bank_card,${cardDigits},王芳,中国农业银行,345,3.45,`);
      // In flight: exported, not paid; the money still in clearing, nothing sent out.
      const listed = async (token: string) =>
        (
          await json<{ items: Withdrawal[] }>(
            await cloud.request('GET', '/v1/wallets/me/withdrawals', { token }),
          )
        ).items;
      expect((await listed(card.token))[0]?.status).toBe('exported');
      expect(await balanceOf(clearing)).toBe(clearingBefore);
      const payouts = async () =>
        int(
          (
            await queryRows<{ fen: unknown }>(
              cloud.deps.db,
              sql`select coalesce(sum(amount_fen), 0) as fen from ledger_transfers where code = 'payout'`,
            )
          )[0]?.fen,
        );
      expect(await payouts()).toBe(0);
      await expectLedgerOk();
      // Exactly once: a second export finds nothing left, and writes no batch.
      const again = await cloud.request('POST', '/v1/settlements', { token: operator });
      expect(again.headers.get('x-settlement-count')).toBe('0');
      expect(again.headers.get('x-settlement-export-id')).toBeNull();
      const header = 'batch_id,withdrawal_id,status,provider_reference,reason\n';
      const [w1, w2, w3] = made.map((w) => String(w.id));
      const good =
        header +
        `${batchId},${w1},paid,ALI202612060001,\n` +
        `${batchId},${w2},failed,,账户不存在 (account closed)\n` +
        `${batchId},${w3},paid,UNI202612060003,\n`;

      // Refused files change nothing, each with its code and line.
      const refused: [string, string, string][] = [
        ['', ErrorCode.PAYOUT_FILE_INVALID, 'line 1'],
        ['batch,withdrawal\n1,2\n', ErrorCode.PAYOUT_FILE_INVALID, 'line 1'],
        [
          `${header}${batchId},${w1},paid,ALI1,\n${batchId},${w2},lost,,\n`,
          ErrorCode.PAYOUT_FILE_INVALID,
          'line 3',
        ],
        [`${header}${batchId},${w1},paid,,\n`, ErrorCode.PAYOUT_FILE_INVALID, 'line 2'],
        [`${header}${batchId},${w2},failed,,\n`, ErrorCode.PAYOUT_FILE_INVALID, 'line 2'],
        [
          `${header}${batchId},${w1},paid,A1,\n${batchId},${w1},paid,A1,\n`,
          ErrorCode.PAYOUT_FILE_INVALID,
          'line 3',
        ],
        [`${header}${batchId},${w1},paid,"unclosed,\n`, ErrorCode.PAYOUT_FILE_INVALID, 'line'],
        [
          `${header}${batchId},${w1},paid,A1,\nsettlement-999999,${w2},paid,A2,\n`,
          ErrorCode.PAYOUT_RESULT_UNKNOWN,
          'line 3',
        ],
        [
          `${header}${batchId},${w1},paid,A1,\n${batchId},999999999,paid,A2,\n`,
          ErrorCode.PAYOUT_RESULT_UNKNOWN,
          'line 3',
        ],
      ];
      for (const [file, code, where] of refused) {
        const [status, error] = await errorOf(await importResults(exportId, file));
        expect([status < 500, error.code], file).toEqual([true, code]);
        expect(error.message, file).toContain(where);
      }
      expect((await importResults(999_999, good)).status).toBe(404);
      expect((await listed(card.token))[0]?.status).toBe('exported');
      expect(await balanceOf(clearing)).toBe(clearingBefore);
      await expectLedgerOk();

      const emailBalance = await balanceOf(alipayEmail.accountId);
      const imported = await importResults(exportId, BOM + good.replaceAll('\n', '\r\n'));
      expect(imported.status, await imported.clone().text()).toBe(200);
      expect(await json(imported)).toEqual({
        batchId,
        paid: 2,
        failed: 1,
        unchanged: 0,
        paidFen: 120 + 345,
        returnedFen: 234,
      });
      expect((await listed(alipayPhone.token))[0]).toMatchObject({ status: 'paid' });
      expect((await listed(alipayEmail.token))[0]).toMatchObject({
        status: 'failed',
        failureReason: '账户不存在 (account closed)',
      });
      expect(await balanceOf(alipayEmail.accountId)).toBe(emailBalance + 234);
      expect(await balanceOf(clearing)).toBe(clearingBefore - 120 - 234 - 345);
      expect(await payouts()).toBe(120 + 345);
      await expectLedgerOk();
      const [audited] = await queryRows<{ n: unknown }>(
        cloud.deps.db,
        sql`select count(*) as n from audit_log where action = 'payouts.imported' and subject = ${`settlement:${String(exportId)}`}`,
      );
      expect(int(audited?.n)).toBe(1);

      // Exactly once: the same file again changes nothing; a contradicting one is refused.
      const reimported = await importResults(exportId, good);
      expect(await json(reimported)).toMatchObject({
        paid: 0,
        failed: 0,
        unchanged: 3,
        paidFen: 0,
        returnedFen: 0,
      });
      const contradiction = await importResults(exportId, `${header}${batchId},${w2},paid,ALI9,\n`);
      expect([contradiction.status, (await errorOf(contradiction))[1].code]).toEqual([
        409,
        ErrorCode.PAYOUT_RESULT_CONFLICT,
      ]);
      expect(await balanceOf(alipayEmail.accountId)).toBe(emailBalance + 234);
      expect(await payouts()).toBe(120 + 345);
      await expectLedgerOk();

      const batches = await json<{
        items: { id: number; paidCount: number; failedCount: number; inFlightCount: number }[];
      }>(await cloud.request('GET', '/v1/settlements', { token: operator }));
      expect(batches.items.find((item) => item.id === exportId)).toMatchObject({
        paidCount: 2,
        failedCount: 1,
      });
    },
  );

  it.skipIf(!available)(
    'pays a withdrawal from before payout accounts to the account its wallet links later',
    async () => {
      const wallet = await fundedWallet(300);
      expect(
        (await link(wallet.token, { kind: 'alipay', account: '13912345678', holderName: '张伟' })).status,
      ).toBe(200);
      const made = await json<Withdrawal>(await withdraw(wallet.token, 150));
      // As a row written before the upgrade: no payee on it.
      await cloud.deps.db.execute(
        sql`update withdrawals set payee_kind = null, payee_account = null, payee_name = null where id = ${made.id}`,
      );
      const exported = await cloud.request('POST', '/v1/settlements', { token: operator });
      const text = new TextDecoder().decode(await exported.arrayBuffer());
      expect(text).toContain(
        `,${String(made.id)},${String(wallet.walletId)},alipay,13912345678,张伟,,150,1.50,`,
      );
      const [row] = await queryRows<{ status: string; payee_account: string | null }>(
        cloud.deps.db,
        sql`select status, payee_account from withdrawals where id = ${made.id}`,
      );
      expect(row).toEqual({ status: 'exported', payee_account: '13912345678' });
      await expectLedgerOk();
    },
  );

  it.skipIf(!available)(
    "pages a wallet's withdrawals newest first to the last one, none cut off",
    async () => {
      const wallet = await fundedWallet(1_000);
      expect(
        (await link(wallet.token, { kind: 'alipay', account: '13800138000', holderName: '李雷' })).status,
      ).toBe(200);
      const made: number[] = [];
      for (const fen of [100, 110, 120]) {
        const response = await withdraw(wallet.token, fen);
        expect(response.status).toBe(201);
        made.push((await json<Withdrawal>(response)).id);
      }
      // Someone else's withdrawal never shows in this wallet's pages.
      const other = await fundedWallet(500);
      await link(other.token, { kind: 'alipay', account: '13900139000', holderName: '韩梅梅' });
      expect((await withdraw(other.token, 100)).status).toBe(201);
      const pages: number[][] = [];
      let before: number | null = 0;
      for (let page = 0; before !== null && page < 5; page++) {
        const reply: { items: Withdrawal[]; nextBefore: number | null } = await json(
          await cloud.request(
            'GET',
            `/v1/wallets/me/withdrawals?limit=2${before === 0 ? '' : `&before=${String(before)}`}`,
            { token: wallet.token },
          ),
        );
        pages.push(reply.items.map((item) => item.id));
        before = reply.nextBefore;
      }
      expect(before).toBeNull();
      expect(pages).toEqual([made.slice(1).reverse(), made.slice(0, 1)]);
      const refused = await cloud.request('GET', '/v1/wallets/me/withdrawals?limit=0', {
        token: wallet.token,
      });
      expect(refused.status).toBe(400);
      await expectLedgerOk();
    },
  );
});
