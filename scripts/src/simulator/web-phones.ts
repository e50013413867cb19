// Phones without the wallet app (docs/protocol.md §3.8, §7a, §9): each signs up a web wallet over the
// HTTP API, with a passkey of a software authenticator (else, where the cloud's relying party cannot be
// met, with a phone key), signs in with it, and claims online, by the screen's QR claim ticket (signed by the kiosk's own
// TicketIssuer) or by the SUN sticker bound to the screen (a batch imported with a known key, one tag per
// screen, reads made as the tag makes them). The checks at the end hold each claim to exactly once: an
// identity decided once and recorded once, a wallet's balance equal to what it was credited, refusals
// moving nothing.
import { randomBytes } from 'node:crypto';
import { ErrorCode, generateKeyPair, toHex, type KeyPair } from '@redtap/shared';
import { batchMetaReadKey, sunReadOf, tagFileReadKey } from '@redtap/cloud';
import { CloudApiError, loginWallet, type CloudApi } from '../demo/cloud-api.ts';
import { inBatches, type SimScreen } from './sim-world.ts';
import { SoftPasskey } from './soft-passkey.ts';

/** How a web wallet signs up and in. */
export type WebWalletKind = 'passkey' | 'phone key';

export interface WebPhone {
  walletId: number;
  city: string;
  kind: WebWalletKind;
  /** The wallet session the phone's browser holds. */
  token: string;
}

/**
 * The relying party a passkey must answer: the RP id the cloud names in its options, used from the
 * cloud's own scheme and port when the RP id is this host or localhost (the embedded cloud's default
 * origin is http://localhost:<port>), else from https://<rp id>.
 */
function relyingPartyOf(api: CloudApi, rpId: string): { rpId: string; origin: string } {
  const base = new URL(api.baseUrl);
  const local = rpId === 'localhost' || rpId === base.hostname;
  return {
    rpId,
    origin: local ? `${base.protocol}//${rpId}${base.port === '' ? '' : `:${base.port}`}` : `https://${rpId}`,
  };
}

/** A passkey wallet: sign up with a new passkey, then sign in with it as a returning phone would. */
async function passkeyWallet(api: CloudApi): Promise<{ walletId: number; token: string }> {
  const creation = await api.call<{ challenge: string; rp: { id?: string } }>(
    'POST',
    '/v1/wallets/passkeys/registration-options',
  );
  const passkey = new SoftPasskey(relyingPartyOf(api, creation.rp.id ?? new URL(api.baseUrl).hostname));
  const { walletId } = await api.call<{ walletId: number }>('POST', '/v1/wallets/passkeys/registration', {
    body: { response: passkey.create(creation), deviceLabel: 'Simulated phone' },
  });
  const request = await api.call<{ challenge: string }>(
    'POST',
    '/v1/wallets/passkeys/authentication-options',
  );
  const session = await api.call<{ token: string; walletId: number }>(
    'POST',
    '/v1/wallets/passkeys/authentication',
    { body: { response: passkey.get(request) } },
  );
  if (session.walletId !== walletId) throw new Error('the passkey signed in to another wallet');
  return { walletId, token: session.token };
}

/** A phone-key wallet: POST /v1/wallets with the key, then the signed login. */
async function phoneKeyWallet(api: CloudApi): Promise<{ walletId: number; token: string }> {
  const keyPair: KeyPair = generateKeyPair();
  const { walletId } = await api.call<{ walletId: number }>('POST', '/v1/wallets', {
    body: { publicKey: toHex(keyPair.publicKeyRaw) },
  });
  return { walletId, token: await loginWallet(api, walletId, keyPair) };
}

/**
 * Signs `count` web wallets up and in, spread over the cities: with passkeys, unless the first passkey
 * sign-up is refused (a cloud whose origin this process cannot answer for), then all with phone keys.
 */
export async function signUpWebPhones(
  api: CloudApi,
  count: number,
  cities: readonly string[],
  onDone: () => void,
): Promise<{ phones: WebPhone[]; kind: WebWalletKind; passkeyRefusal: string | null }> {
  if (count === 0) return { phones: [], kind: 'passkey', passkeyRefusal: null };
  let passkeyRefusal: string | null = null;
  const first = await passkeyWallet(api).catch((error: unknown) => {
    passkeyRefusal = error instanceof Error ? error.message : String(error);
    return null;
  });
  const kind: WebWalletKind = first === null ? 'phone key' : 'passkey';
  const signUp = first === null ? phoneKeyWallet : passkeyWallet;
  const phones = await inBatches(
    Array.from({ length: count }, (_, i) => i),
    async (i) => {
      const wallet = i === 0 && first !== null ? first : await signUp(api);
      return { ...wallet, city: cities[i % cities.length] ?? 'Shanghai', kind };
    },
    onDone,
  );
  return { phones, kind, passkeyRefusal };
}

/** A SUN sticker on a screen's bezel: its UID and the read counter it will mirror next. */
export interface SimSticker {
  screenId: number;
  batchId: number;
  uid: Uint8Array;
  /** The last read counter the tag mirrored (its SDMReadCtr); the next read is one higher. */
  counter: number;
}

export interface SimStickers {
  batchId: number;
  batchKey: Uint8Array;
  byScreen: Map<number, SimSticker>;
}

/** A UID as NXP numbers them (first byte 0x04), random otherwise. */
function stickerUid(): Uint8Array {
  const uid = new Uint8Array(randomBytes(7));
  uid[0] = 0x04;
  return uid;
}

/** Imports a batch of one sticker per screen under a fresh batch key and binds each to its screen. */
export async function bindSimStickers(
  api: CloudApi,
  operator: string,
  screens: readonly SimScreen[],
): Promise<SimStickers> {
  let batchKey = new Uint8Array(randomBytes(16));
  while (batchKey.every((byte) => byte === 0)) batchKey = new Uint8Array(randomBytes(16));
  const uids = screens.map(() => stickerUid());
  const imported = await api.call<{ batch: { id: number } | null }>('POST', '/v1/tag-batches', {
    token: operator,
    body: {
      name: `Simulated bezel stickers ${Date.now().toString(36)}`,
      masterKey: toHex(batchKey),
      uids: uids.map((uid) => toHex(uid)),
    },
  });
  if (imported.batch === null) throw new Error('the sticker batch was not imported');
  const batchId = imported.batch.id;
  const byScreen = new Map<number, SimSticker>();
  await inBatches(screens, async (screen, index) => {
    const uid = uids[index] as Uint8Array;
    await api.call('PUT', `/v1/tags/${toHex(uid)}/screen`, {
      token: operator,
      body: { screenId: screen.screenId },
    });
    byScreen.set(screen.screenId, { screenId: screen.screenId, batchId, uid, counter: 0 });
  });
  return { batchId, batchKey, byScreen };
}

export interface SunReadBody {
  batch: string;
  picc: string;
  cmac: string;
}

/** The sticker is read once: its counter rises and the URL carries `b`, `p` and `c` (§9). */
export function readSticker(stickers: SimStickers, sticker: SimSticker): SunReadBody {
  sticker.counter += 1;
  return {
    batch: String(sticker.batchId),
    ...sunReadOf({
      metaReadKey: batchMetaReadKey(stickers.batchKey),
      fileReadKey: tagFileReadKey(stickers.batchKey, sticker.uid),
      uid: sticker.uid,
      counter: sticker.counter,
    }),
  };
}

/** The identity a claim is single-use by, as the cloud keys it (services/claims.ts). */
export const ticketClaimKey = (screenId: number, ticketSeq: number) => `t:${screenId}:${ticketSeq}`;
export const stickerClaimKey = (sticker: SimSticker, counter: number) => `s:${toHex(sticker.uid)}:${counter}`;

export type ClaimBody = { ticket: string } | { sun: SunReadBody };

/**
 * The cloud's answer to one claim: `credited` or `rejected` when the judge decided it (recorded, once per
 * identity), `refused` when it was turned away before (nothing recorded), `error` when the request failed.
 */
export interface ClaimAnswer {
  status: 'credited' | 'rejected' | 'refused' | 'error';
  code: string | null;
  amountFen: number;
  campaignId: number | null;
  replayed: boolean;
}

/** POST /v1/wallet/claims, once: a claim is never retried blindly (a sticker read is single use). */
export async function claimOnline(api: CloudApi, token: string, body: ClaimBody): Promise<ClaimAnswer> {
  try {
    const reply = await api.call<{
      status: 'credited' | 'rejected';
      code: string | null;
      amountFen: number;
      campaignId: number | null;
      replayed: boolean;
    }>('POST', '/v1/wallet/claims', { token, body });
    return {
      status: reply.status,
      code: reply.code,
      amountFen: reply.amountFen,
      campaignId: reply.campaignId,
      replayed: reply.replayed,
    };
  } catch (error) {
    if (error instanceof CloudApiError)
      return { status: 'refused', code: error.code, amountFen: 0, campaignId: null, replayed: false };
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'error', code: message.slice(0, 80), amountFen: 0, campaignId: null, replayed: false };
  }
}

export type ClaimPathName = 'qr' | 'sticker';
/**
 * Why the simulator made a claim: a phone claiming at the screen, one that scanned offline and claims
 * later, or a hostile one: a second wallet posting a ticket or sticker read already claimed, or an older
 * sticker read, harvested before a later read of the tag was claimed.
 */
export type ClaimKind = 'at the screen' | 'offline, later' | 'second wallet' | 'replayed read';

export interface ClaimRecord {
  walletId: number;
  path: ClaimPathName;
  kind: ClaimKind;
  screenId: number;
  claimKey: string;
  /** What the claim must get: any decision for an honest one, this refusal for a hostile one. */
  expected: 'decided' | ErrorCode;
  answer: ClaimAnswer;
  /** Wall milliseconds from the scan (or read) to the claim. */
  heldMs: number;
}

/** One claims row as the cloud recorded it. */
export interface ClaimRow {
  claimKey: string;
  walletId: number;
  status: string;
  amountFen: number;
}

export interface ClaimCheck {
  ok: boolean;
  problems: string[];
  /** Identities decided (credited or rejected by the judge). */
  decided: number;
  credited: number;
  creditedFen: number;
}

const PROBLEMS_LISTED_MAX = 20;

/**
 * Exactly once for claims: each identity is decided by one answer that is not a replay, the hostile
 * copies get their refusal, the cloud holds one row per decided identity with the same wallet, status and
 * amount and none for a refused one, and each web wallet's balance is exactly what it was credited.
 * `rows` is null when the cloud's database cannot be read (then only the balances are checked).
 */
export function checkClaims(
  records: readonly ClaimRecord[],
  balances: ReadonlyMap<number, number>,
  rows: readonly ClaimRow[] | null,
): ClaimCheck {
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < PROBLEMS_LISTED_MAX) problems.push(text);
  };
  const decisions = new Map<string, ClaimRecord>();
  const creditedByWallet = new Map<number, number>();
  for (const record of records) {
    const { answer } = record;
    if (record.expected !== 'decided' && answer.code !== record.expected)
      problem(
        `${record.kind} claim of ${record.claimKey} got ${`${answer.status} ${answer.code ?? ''}`.trim()}, not ${record.expected}`,
      );
    if (answer.status === 'error') problem(`claim of ${record.claimKey} failed: ${answer.code ?? ''}`);
    if (answer.status !== 'credited' && answer.status !== 'rejected') continue;
    if (answer.replayed) continue;
    const first = decisions.get(record.claimKey);
    if (first !== undefined)
      problem(`${record.claimKey} decided twice (wallets ${first.walletId} and ${record.walletId})`);
    decisions.set(record.claimKey, record);
    if (answer.status === 'credited')
      creditedByWallet.set(record.walletId, (creditedByWallet.get(record.walletId) ?? 0) + answer.amountFen);
  }
  if (rows !== null) {
    const rowsByKey = new Map<string, ClaimRow[]>();
    for (const row of rows) rowsByKey.set(row.claimKey, [...(rowsByKey.get(row.claimKey) ?? []), row]);
    for (const [key, record] of decisions) {
      const found = rowsByKey.get(key) ?? [];
      const row = found[0];
      if (found.length !== 1 || row === undefined) {
        problem(`${key}: ${found.length} rows in the cloud for one decided claim`);
        continue;
      }
      const amountFen = record.answer.status === 'credited' ? record.answer.amountFen : 0;
      if (
        row.walletId !== record.walletId ||
        row.status !== record.answer.status ||
        row.amountFen !== amountFen
      )
        problem(
          `${key}: the cloud recorded wallet ${row.walletId} ${row.status} ${row.amountFen} fen, the claim was answered wallet ${record.walletId} ${record.answer.status} ${amountFen} fen`,
        );
    }
    for (const record of records)
      if (
        record.answer.status === 'refused' &&
        !decisions.has(record.claimKey) &&
        rowsByKey.has(record.claimKey)
      )
        problem(`${record.claimKey}: refused (${record.answer.code ?? ''}) yet recorded`);
    for (const key of rowsByKey.keys())
      if (!decisions.has(key) && records.some((record) => record.claimKey === key))
        problem(`${key}: recorded by the cloud but no claim was answered with a decision`);
  }
  for (const [walletId, balanceFen] of balances) {
    const creditedFen = creditedByWallet.get(walletId) ?? 0;
    if (balanceFen !== creditedFen)
      problem(`wallet ${walletId} holds ${balanceFen} fen, its credited claims ${creditedFen} fen`);
  }
  const credited = [...decisions.values()].filter((record) => record.answer.status === 'credited');
  return {
    ok: problems.length === 0,
    problems,
    decided: decisions.size,
    credited: credited.length,
    creditedFen: credited.reduce((sum, record) => sum + record.answer.amountFen, 0),
  };
}

/** Claims by path: credited (with the cash), and the judge's rejections and earlier refusals by code. */
export function claimsByPath(records: readonly ClaimRecord[]): Map<
  ClaimPathName,
  {
    claims: number;
    credited: number;
    creditedFen: number;
    /** `rejected CODE` (the judge's, recorded) or `refused CODE` (before the judge, nothing recorded). */
    notCredited: Map<string, number>;
  }
> {
  const byPath = new Map<
    ClaimPathName,
    { claims: number; credited: number; creditedFen: number; notCredited: Map<string, number> }
  >();
  for (const record of records) {
    const entry = byPath.get(record.path) ?? {
      claims: 0,
      credited: 0,
      creditedFen: 0,
      notCredited: new Map<string, number>(),
    };
    byPath.set(record.path, entry);
    entry.claims += 1;
    const { answer } = record;
    if (answer.status === 'credited' && !answer.replayed) {
      entry.credited += 1;
      entry.creditedFen += answer.amountFen;
    } else {
      const key = answer.replayed
        ? `${answer.status}, replayed`
        : `${answer.status} ${answer.code ?? ''}`.trim();
      entry.notCredited.set(key, (entry.notCredited.get(key) ?? 0) + 1);
    }
  }
  return byPath;
}
