// The phone simulator's phones: each is a wallet (a P-256 key registered with `POST /v1/wallets`) that
// taps a chosen screen — through the kiosk's /sim/tap, or through pcscd via the vpcd adapter — keeps the
// signed receipts it gets, and, while online, redeems them itself over `POST /v1/redeem` (the phone path).
// Its receipts are its tap log: each tap hands them to the virtual phone, which signs the day state a
// kiosk asks for from them (docs/protocol.md §4.4), across every screen the phone tapped.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  decodeCredential,
  decodeTapToken,
  exportPrivateKeyPem,
  fromHex,
  generateKeyPair,
  importPrivateKeyPem,
  toHex,
  type KeyPair,
} from '@redtap/shared';
import { PhoneTapLog, phoneTapOf, VirtualPhone, VpcdSlot, type PhoneTap } from '@redtap/tap-reader';
import { z } from 'zod';
import { CloudApiError, loginWallet, signWalletLogin, type CloudApi } from './cloud-api.ts';
import type { DemoKiosk, KioskTapEvent } from './kiosk-fleet.ts';

export const PHONES_MAX = 64;
/** Receipts a phone keeps (the oldest redeemed ones are forgotten first). */
export const RECEIPTS_MAX = 200;
const SIM_TAP_TIMEOUT_MS = 10_000;
const PCSC_TAP_TIMEOUT_MS = 5_000;

const StoredReceipt = z.object({
  token: z.string(),
  screenIndex: z.number().int(),
  at: z.string(),
  /** How the phone's own redemption went, if it tried: credited, duplicate, rejected, held. */
  phoneRedeem: z.string().nullable(),
  /** The long receipt's advertiser and city (16 hex digits); absent or null for the short receipt. */
  extra: z.string().nullable().optional(),
});
const StoredPhone = z.object({
  name: z.string(),
  walletId: z.number().int(),
  credential: z.string(),
  keyPem: z.string(),
  online: z.boolean(),
  receipts: z.array(StoredReceipt),
});
type StoredPhone = z.infer<typeof StoredPhone>;
export type PhoneReceipt = z.infer<typeof StoredReceipt>;

export interface PhoneView {
  name: string;
  walletId: number;
  online: boolean;
  receipts: PhoneReceipt[];
  unredeemed: number;
}

export interface TapOutcome {
  outcome: string;
  code: string | null;
  message: string;
  committed: boolean;
  receipt: boolean;
  via: 'sim' | 'pcsc';
  phoneRedeem: string | null;
}

/** A receipt the phone holds whose tap the cloud has not settled yet (its kiosk or the phone still has it). */
export interface PendingTap {
  screenIndex: number;
  screenId: number;
  counter: number;
  amountFen: number;
  couponOfferId: number;
  at: string;
}

export interface WalletView {
  balanceFen: number;
  history: Record<string, unknown>[];
  coupons: Record<string, unknown>[];
  pending: PendingTap[];
}

/** History rows the simulator asks for; pending receipts are matched against these. */
export const WALLET_HISTORY_LIMIT = 50;

interface Phone {
  stored: StoredPhone;
  key: KeyPair;
  session: string | null;
  busy: boolean;
}

export class PhoneBook {
  private readonly api: CloudApi;
  private readonly file: string | null;
  private readonly phones = new Map<string, Phone>();
  private readonly vpcd: VpcdSlot;

  constructor(options: { api: CloudApi; file?: string; vpcdPort?: number }) {
    this.api = options.api;
    this.file = options.file ?? null;
    this.vpcd = new VpcdSlot(options.vpcdPort === undefined ? {} : { port: options.vpcdPort });
    if (this.file !== null && existsSync(this.file)) {
      const parsed = z.array(StoredPhone).safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      for (const stored of parsed.success ? parsed.data : [])
        this.phones.set(stored.name, {
          stored,
          key: importPrivateKeyPem(stored.keyPem),
          session: null,
          busy: false,
        });
    }
  }

  list(): PhoneView[] {
    return [...this.phones.values()].map((phone) => this.view(phone));
  }

  get(name: string): PhoneView | null {
    const phone = this.phones.get(name);
    return phone === undefined ? null : this.view(phone);
  }

  /** A new wallet: a fresh key, registered with the cloud for its credential. */
  async create(name: string): Promise<PhoneView> {
    if (this.phones.has(name)) throw new PhoneError('PHONE_EXISTS', `a phone named ${name} exists`);
    if (this.phones.size >= PHONES_MAX)
      throw new PhoneError('TOO_MANY_PHONES', `at most ${PHONES_MAX} phones`);
    const key = generateKeyPair();
    const issued = await this.api.call<{ walletId: number; credential: string }>('POST', '/v1/wallets', {
      body: { publicKey: toHex(key.publicKeyRaw) },
    });
    const phone: Phone = {
      stored: {
        name,
        walletId: issued.walletId,
        credential: issued.credential,
        keyPem: exportPrivateKeyPem(key.privateKey),
        online: true,
        receipts: [],
      },
      key,
      session: null,
      busy: false,
    };
    this.phones.set(name, phone);
    this.save();
    return this.view(phone);
  }

  /** Taps the phone on a screen: /sim/tap for the simulated reader, a vpcd slot for PC/SC. */
  async tap(name: string, kiosk: DemoKiosk): Promise<TapOutcome> {
    const phone = this.require(name);
    if (phone.busy) throw new PhoneError('PHONE_BUSY', `${name} is already on a reader`);
    phone.busy = true;
    try {
      const result =
        kiosk.reader === 'pcsc' ? await this.tapPcsc(phone, kiosk) : await this.tapSim(phone, kiosk);
      let phoneRedeem: string | null = null;
      if (result.token !== null) {
        const receipt: PhoneReceipt = {
          token: result.token,
          screenIndex: kiosk.index,
          at: new Date().toISOString(),
          phoneRedeem: null,
          extra: result.extra,
        };
        phone.stored.receipts.push(receipt);
        this.trimReceipts(phone);
        if (phone.stored.online) phoneRedeem = await this.redeem(receipt);
        this.save();
      }
      return { ...result.outcome, receipt: result.token !== null, phoneRedeem };
    } finally {
      phone.busy = false;
    }
  }

  /** The phone's own connectivity; coming online redeems every stored receipt not yet redeemed. */
  async setOnline(
    name: string,
    online: boolean,
  ): Promise<{ redeemed: { counter: number | null; status: string }[] }> {
    const phone = this.require(name);
    phone.stored.online = online;
    const redeemed: { counter: number | null; status: string }[] = [];
    if (online)
      for (const receipt of phone.stored.receipts) {
        if (receipt.phoneRedeem !== null) continue;
        const status = await this.redeem(receipt);
        redeemed.push({ counter: Number.parseInt(receipt.token.slice(18, 26), 16), status });
      }
    this.save();
    return { redeemed };
  }

  async wallet(name: string): Promise<WalletView> {
    const phone = this.require(name);
    const get = async <T>(path: string): Promise<T> => {
      phone.session ??= await loginWallet(this.api, phone.stored.walletId, phone.key);
      try {
        return await this.api.call<T>('GET', path, { token: phone.session });
      } catch (error) {
        if (!(error instanceof CloudApiError) || error.status !== 401) throw error;
        phone.session = await loginWallet(this.api, phone.stored.walletId, phone.key);
        return this.api.call<T>('GET', path, { token: phone.session });
      }
    };
    const me = await get<{ balanceFen: number }>('/v1/wallets/me');
    const history = await get<{ items: Record<string, unknown>[] }>(
      `/v1/wallets/me/history?limit=${WALLET_HISTORY_LIMIT}`,
    );
    const coupons = await get<{ items: Record<string, unknown>[] }>('/v1/wallets/me/coupons?limit=20');
    return {
      balanceFen: me.balanceFen,
      history: history.items,
      coupons: coupons.items,
      pending: pendingTaps(phone.stored.receipts, history.items),
    };
  }

  /**
   * A one-time login for the console's /wallet page: the cloud's nonce signed with this phone's key,
   * in the URL fragment (never sent to a server, and the page drops it at once). It is worth one
   * session, once, within the nonce's 60 s; no session token is ever put in a URL.
   */
  async walletLoginLink(name: string, consoleUrl: string): Promise<{ url: string }> {
    const phone = this.require(name);
    const signed = await signWalletLogin(this.api, phone.stored.walletId, phone.key);
    const base = consoleUrl.replace(/\/+$/, '');
    return { url: `${base}/wallet#login=${phone.stored.walletId}.${signed.nonce}.${signed.signature}` };
  }

  private async redeem(receipt: PhoneReceipt): Promise<string> {
    try {
      const result = await this.api.call<{ status: string; code?: string }>('POST', '/v1/redeem', {
        body: { token: receipt.token },
      });
      // `retry` is not final: the receipt stays unredeemed and goes again next time.
      if (result.status !== 'retry') receipt.phoneRedeem = result.status;
      return result.code === undefined ? result.status : `${result.status} (${result.code})`;
    } catch (error) {
      return `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private async tapSim(
    phone: Phone,
    kiosk: DemoKiosk,
  ): Promise<{
    outcome: Omit<TapOutcome, 'receipt' | 'phoneRedeem'>;
    token: string | null;
    extra: string | null;
  }> {
    if (kiosk.url === null) throw new PhoneError('NO_SCREEN', `screen ${kiosk.index} has no browser host`);
    const response = await fetch(`${kiosk.url.replace(/\/$/, '')}/sim/tap`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        walletKeyPem: phone.stored.keyPem,
        credential: phone.stored.credential,
        online: phone.stored.online,
        taps: phoneTaps(phone.stored.receipts),
      }),
      signal: AbortSignal.timeout(SIM_TAP_TIMEOUT_MS),
    });
    const body = (await response.json()) as {
      outcome?: string;
      code?: string | null;
      message?: string;
      committed?: boolean;
      receipt?: string | null;
      receiptExtra?: string | null;
      error?: { code: string; message: string };
    };
    if (body.error !== undefined) throw new PhoneError(body.error.code, body.error.message);
    return {
      outcome: {
        outcome: body.outcome ?? 'unknown',
        code: body.code ?? null,
        message: body.message ?? '',
        committed: body.committed === true,
        via: 'sim',
      },
      token: body.receipt ?? null,
      extra: body.receiptExtra ?? null,
    };
  }

  /** Puts the phone on vpcd slot 0 and waits for the kiosk's PC/SC source to report the exchange. */
  private async tapPcsc(
    phone: Phone,
    kiosk: DemoKiosk,
  ): Promise<{
    outcome: Omit<TapOutcome, 'receipt' | 'phoneRedeem'>;
    token: string | null;
    extra: string | null;
  }> {
    const credential = decodeCredential(fromHex(phone.stored.credential) ?? new Uint8Array());
    if (!credential.ok) throw new PhoneError('BAD_CREDENTIAL', 'the stored credential does not decode');
    const card = new VirtualPhone({
      keyPair: phone.key,
      credential: credential.value,
      online: phone.stored.online,
      taps: phoneTaps(phone.stored.receipts),
    });
    let off: () => void = () => undefined;
    const reported = new Promise<KioskTapEvent | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), PCSC_TAP_TIMEOUT_MS);
      off = kiosk.onTap((event) => {
        if (event.walletId !== null && event.walletId !== phone.stored.walletId) return;
        clearTimeout(timer);
        resolve(event);
      });
    });
    try {
      await this.vpcd.insert(card);
      const event = await reported;
      const last = card.receipts.at(-1);
      const token = last?.token;
      const extra = last === undefined || last.extra === null ? null : toHex(last.extra);
      if (event === null)
        return {
          outcome: {
            outcome: 'timeout',
            code: null,
            message: 'the reader reported nothing',
            committed: false,
            via: 'pcsc',
          },
          token: token === undefined ? null : toHex(token),
          extra,
        };
      return {
        outcome: {
          outcome: event.outcome,
          code: event.code,
          message: event.outcome,
          committed: event.committed,
          via: 'pcsc',
        },
        token: token === undefined ? null : toHex(token),
        extra,
      };
    } finally {
      off();
      await this.vpcd.remove();
    }
  }

  private trimReceipts(phone: Phone): void {
    const receipts = phone.stored.receipts;
    while (receipts.length > RECEIPTS_MAX) {
      const redeemed = receipts.findIndex((receipt) => receipt.phoneRedeem !== null);
      receipts.splice(redeemed === -1 ? 0 : redeemed, 1);
    }
  }

  private require(name: string): Phone {
    const phone = this.phones.get(name);
    if (phone === undefined) throw new PhoneError('NO_SUCH_PHONE', `no phone named ${name}`);
    return phone;
  }

  private view(phone: Phone): PhoneView {
    return {
      name: phone.stored.name,
      walletId: phone.stored.walletId,
      online: phone.stored.online,
      receipts: phone.stored.receipts.slice(-20).reverse(),
      unredeemed: phone.stored.receipts.filter((receipt) => receipt.phoneRedeem === null).length,
    };
  }

  private save(): void {
    if (this.file === null) return;
    writeFileSync(
      this.file,
      JSON.stringify(
        [...this.phones.values()].map((phone) => phone.stored),
        null,
        2,
      ),
      {
        mode: 0o600,
      },
    );
  }
}

/** The phone's tap log from its stored receipts, bounded as a phone keeps it (newest taps, 48 h). */
export function phoneTaps(receipts: readonly PhoneReceipt[]): PhoneTap[] {
  const log = new PhoneTapLog();
  for (const receipt of receipts) {
    const token = fromHex(receipt.token);
    const extra = receipt.extra === undefined || receipt.extra === null ? null : fromHex(receipt.extra);
    const tap = token === null ? null : phoneTapOf(token, extra);
    if (tap !== null) log.add(tap);
  }
  return [...log.entries()];
}

/**
 * The phone's receipts that the cloud's history does not show yet. Only receipts at least as new as the
 * oldest history row are compared when the page is full: an older one may simply be off the page.
 */
export function pendingTaps(
  receipts: readonly PhoneReceipt[],
  history: Record<string, unknown>[],
): PendingTap[] {
  const settled = new Set(history.map((item) => `${String(item.screenId)}:${String(item.counter)}`));
  const oldestTs = history.reduce(
    (oldest, item) => (typeof item.tapTs === 'number' ? Math.min(oldest, item.tapTs) : oldest),
    Number.POSITIVE_INFINITY,
  );
  const pageFull = history.length >= WALLET_HISTORY_LIMIT;
  const pending: PendingTap[] = [];
  for (const receipt of receipts) {
    const token = decodeTapToken(fromHex(receipt.token) ?? new Uint8Array());
    if (!token.ok) continue;
    const { screenId, counter, ts, amountFen, couponOfferId } = token.value;
    if (settled.has(`${String(screenId)}:${String(counter)}`)) continue;
    if (pageFull && ts < oldestTs) continue;
    pending.push({
      screenIndex: receipt.screenIndex,
      screenId,
      counter,
      amountFen,
      couponOfferId,
      at: receipt.at,
    });
  }
  return pending.reverse();
}

export class PhoneError extends Error {
  override name = 'PhoneError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
