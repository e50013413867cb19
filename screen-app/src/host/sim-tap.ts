// The simulated reader's local control endpoint, for demos, tests and the phone simulator page:
// `POST /sim/tap` presents a virtual phone (or a foreign card) on the in-process reader, runs one real
// exchange against the kiosk's engine and answers with its outcome. Mounted only with the simulated
// reader, and only answers loopback callers.
import {
  bankCard,
  mifareTag,
  PHONE_TAPS_MAX,
  VirtualPhone,
  type ExchangeResult,
  type SimulatedTapSource,
  type VirtualCard,
} from '@redtap/tap-reader';
import {
  decodeCredential,
  fromHex,
  generateKeyPair,
  importPrivateKeyPem,
  toHex,
  type KeyPair,
  type WalletCredential,
} from '@redtap/shared';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';

export const SIM_TAP_PATH = '/sim/tap';
/** Named phones remembered between taps; the oldest is forgotten first. */
export const SIM_PHONES_MAX = 256;
/** Room for a phone's whole tap log (PHONE_TAPS_MAX entries) besides its key and credential. */
const SIM_BODY_BYTES_MAX = 64 * 1024;
const REGISTER_TIMEOUT_MS = 10_000;

export const SimTapCode = {
  FORBIDDEN: 'SIM_FORBIDDEN',
  BAD_REQUEST: 'SIM_BAD_REQUEST',
  READER_BUSY: 'SIM_READER_BUSY',
  NO_WALLET: 'SIM_NO_WALLET',
} as const;

const SimTapBody = z
  .object({
    /** What is tapped: a RedTap phone (default), a bank card or a memory tag (both unsupported). */
    card: z.enum(['phone', 'bank-card', 'tag']).default('phone'),
    /** A name for the phone: the same name taps again with the same wallet. */
    phone: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
      .optional(),
    /** Bring your own wallet: its P-256 key (PKCS#8 PEM) and the 147-byte credential the cloud issued. */
    walletKeyPem: z.string().max(4096).optional(),
    credential: z
      .string()
      .regex(/^[0-9a-fA-F]{294}$/)
      .optional(),
    behaviour: z
      .enum(['normal', 'locked', 'leave-after-hello', 'leave-after-challenge', 'leave-after-receipt'])
      .default('normal'),
    /** The phone's HELLO says it is online (the token then carries the phone-online flag). */
    online: z.boolean().default(false),
    /** false: a phone from before GET DAY STATE, which answers it 6D 00 and takes the short receipt. */
    dayState: z.boolean().default(true),
    /** The taps the phone knows (its tap log, docs/protocol.md §4.4), for a phone brought with a wallet. */
    taps: z
      .array(
        z.object({
          screenId: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
          counter: z.number().int().min(0).max(0xffffffff),
          ts: z.number().int().min(0).max(0xffffffff),
          campaignId: z.number().int().min(0).max(0xffffffff),
          advertiserId: z.number().int().min(0).max(0xffffffff),
          cityKey: z.number().int().min(0).max(0xffffffff),
          amountFen: z.number().int().min(0).max(0xffffffff),
          couponOfferId: z.number().int().min(0).max(0xffffffff),
        }),
      )
      .max(PHONE_TAPS_MAX)
      .optional(),
    readerName: z.string().max(64).optional(),
  })
  .refine((body) => (body.walletKeyPem === undefined) === (body.credential === undefined), {
    message: 'walletKeyPem and credential come together',
  });
export type SimTapRequest = z.input<typeof SimTapBody>;

export interface SimTapReply {
  phone: string | null;
  walletId: number | null;
  outcome: ExchangeResult['outcome'];
  code: string | null;
  message: string;
  committed: boolean;
  totalMs: number;
  /** The signed tap token the phone received (hex), when the receipt reached it. */
  receipt: string | null;
  /** The long receipt's `u32 advertiserId ‖ u32 cityKey` (hex), null for the short one. */
  receiptExtra: string | null;
}

/** Issues a credential for a new phone key (the cloud's `POST /v1/wallets`). */
export type WalletRegistrar = (
  publicKeyRaw: Uint8Array,
) => Promise<{ ok: true; credential: WalletCredential } | { ok: false; message: string }>;

export function cloudWalletRegistrar(cloudUrl: string, fetchFn: typeof fetch = fetch): WalletRegistrar {
  return async (publicKeyRaw) => {
    try {
      const response = await fetchFn(`${cloudUrl.replace(/\/+$/, '')}/v1/wallets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ publicKey: toHex(publicKeyRaw) }),
        signal: AbortSignal.timeout(REGISTER_TIMEOUT_MS),
      });
      if (response.status !== 201) return { ok: false, message: `the cloud answered ${response.status}` };
      const body = z.object({ credential: z.string().max(400) }).safeParse(await response.json());
      const bytes = body.success ? fromHex(body.data.credential) : null;
      const decoded = bytes === null ? null : decodeCredential(bytes);
      if (decoded?.ok !== true) return { ok: false, message: 'the cloud sent no valid credential' };
      return { ok: true, credential: decoded.value };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  };
}

export interface SimTapOptions {
  simulator: Pick<SimulatedTapSource, 'present' | 'remove' | 'readers'>;
  /** For phones that bring no wallet; without it such requests are refused. */
  registerWallet?: WalletRegistrar;
  logger: Logger;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (LOOPBACK.has(address) || address.startsWith('127.'));
}

function importWalletKey(pem: string): KeyPair | null {
  try {
    return importPrivateKeyPem(pem);
  } catch {
    return null;
  }
}

export function simTapRoutes(options: SimTapOptions): Hono {
  const { simulator, logger } = options;
  const phones = new Map<string, VirtualPhone>();
  /** A phone is in one field at a time: its APDU session state is per presentation. */
  const phonesInField = new Set<VirtualPhone>();
  const app = new Hono();
  const fail = (code: string, message: string, status: 400 | 403 | 409 | 502) =>
    new Response(JSON.stringify({ error: { code, message } }), {
      status,
      headers: { 'content-type': 'application/json' },
    });

  const phoneFor = async (
    body: z.output<typeof SimTapBody>,
  ): Promise<{ ok: true; phone: VirtualPhone } | { ok: false; response: Response }> => {
    const known = body.phone === undefined ? undefined : phones.get(body.phone);
    if (known !== undefined && body.credential === undefined) return { ok: true, phone: known };
    let keyPair: KeyPair;
    let credential: WalletCredential;
    if (body.walletKeyPem !== undefined && body.credential !== undefined) {
      const imported = importWalletKey(body.walletKeyPem);
      const decoded = decodeCredential(fromHex(body.credential) ?? new Uint8Array());
      if (imported === null || !decoded.ok)
        return { ok: false, response: fail(SimTapCode.BAD_REQUEST, 'bad wallet key or credential', 400) };
      keyPair = imported;
      credential = decoded.value;
    } else {
      if (options.registerWallet === undefined)
        return {
          ok: false,
          response: fail(SimTapCode.NO_WALLET, 'no cloud to register a wallet with; send one', 409),
        };
      keyPair = generateKeyPair();
      const registered = await options.registerWallet(keyPair.publicKeyRaw);
      if (!registered.ok)
        return {
          ok: false,
          response: fail(SimTapCode.NO_WALLET, `wallet registration failed: ${registered.message}`, 502),
        };
      credential = registered.credential;
    }
    const phone = new VirtualPhone({ keyPair, credential, dayState: body.dayState, taps: body.taps ?? [] });
    if (body.phone !== undefined) {
      phones.delete(body.phone);
      if (phones.size >= SIM_PHONES_MAX) {
        const oldest = phones.keys().next();
        if (oldest.done !== true) phones.delete(oldest.value);
      }
      phones.set(body.phone, phone);
    }
    return { ok: true, phone };
  };

  app.post(SIM_TAP_PATH, async (c) => {
    // Only this machine: a demo control must never be reachable from the network the host listens on.
    if (!isLoopback(getConnInfo(c).remote.address))
      return fail(SimTapCode.FORBIDDEN, 'the simulator answers loopback only', 403);
    // A JSON content type forces a CORS preflight, so a page on another origin cannot post here.
    if (c.req.header('content-type')?.startsWith('application/json') !== true)
      return fail(SimTapCode.BAD_REQUEST, 'send application/json', 400);
    const text = await c.req.text();
    if (text.length > SIM_BODY_BYTES_MAX) return fail(SimTapCode.BAD_REQUEST, 'body too large', 400);
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      return fail(SimTapCode.BAD_REQUEST, 'body is not JSON', 400);
    }
    const parsed = SimTapBody.safeParse(json);
    if (!parsed.success)
      return fail(SimTapCode.BAD_REQUEST, parsed.error.issues[0]?.message ?? 'bad request', 400);
    const body = parsed.data;
    const readers = simulator.readers();
    const readerName = body.readerName ?? readers[0]?.name ?? '';
    const reader = readers.find((candidate) => candidate.name === readerName);
    if (reader === undefined) return fail(SimTapCode.BAD_REQUEST, `no reader named ${readerName}`, 400);
    if (reader.state !== 'empty') return fail(SimTapCode.READER_BUSY, `${readerName} is busy`, 409);

    let card: VirtualCard;
    let phone: VirtualPhone | null = null;
    if (body.card === 'bank-card') card = bankCard();
    else if (body.card === 'tag') card = mifareTag();
    else {
      const found = await phoneFor(body);
      if (!found.ok) return found.response;
      phone = found.phone;
      card = phone;
    }
    // The registration above may have taken a while: check the reader again right before presenting.
    if (simulator.readers().find((candidate) => candidate.name === readerName)?.state !== 'empty')
      return fail(SimTapCode.READER_BUSY, `${readerName} is busy`, 409);
    if (phone !== null && phonesInField.has(phone))
      return fail(SimTapCode.READER_BUSY, `${body.phone ?? 'that phone'} is on another reader`, 409);
    if (phone !== null) {
      phone.behaviour = { kind: body.behaviour };
      phone.online = body.online;
    }
    // Compared by identity: a phone keeps a bounded list, so its length stops growing when full.
    const lastReceiptBefore = phone?.receipts.at(-1);
    let result: ExchangeResult;
    if (phone !== null) phonesInField.add(phone);
    try {
      result = await simulator.present(card, readerName);
    } finally {
      simulator.remove(readerName);
      if (phone !== null) phonesInField.delete(phone);
    }
    const lastReceipt = phone?.receipts.at(-1);
    const receipt = lastReceipt === lastReceiptBefore ? undefined : lastReceipt;
    logger.info({ phone: body.phone, outcome: result.outcome, code: result.code }, 'simulated tap');
    const reply: SimTapReply = {
      phone: body.phone ?? null,
      walletId: result.walletId,
      outcome: result.outcome,
      code: result.code,
      message: result.message,
      committed: result.committed,
      totalMs: result.totalMs,
      receipt: receipt === undefined ? null : toHex(receipt.token),
      receiptExtra: receipt === undefined || receipt.extra === null ? null : toHex(receipt.extra),
    };
    return c.json(reply);
  });
  return app;
}
