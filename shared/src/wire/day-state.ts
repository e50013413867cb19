// The phone's day state (docs/protocol.md §4.4): what an honest phone knows of its own taps on the cap
// day a kiosk asks about, signed with its phone key over the kiosk's request, so a kiosk can judge caps
// and travel offline the way EMV terminals read a card's offline counters. Decoders never throw.
import type { KeyObject } from 'node:crypto';
import { ByteReader, ByteWriter, concatBytes } from '../bytes.ts';
import { SIGNATURE_LENGTH, SignatureLabel, sign, verify } from '../crypto.ts';
import { ErrorCode, fail, ok, type Result } from '../errors.ts';

export const DAY_STATE_VERSION = 1;
export const DAY_STATE_REQUEST_LENGTH = 32;
export const DAY_STATE_NONCE_LENGTH = 12;
/** Campaigns a day state lists at most; a phone with more sets `campaignsTruncated`. */
export const DAY_STATE_CAMPAIGNS_MAX = 16;
const FIXED_LENGTH = 1 + 8 + 4 + 2 + 4 + 1 + 1 + 4 + 4 + 1;
const CAMPAIGN_LENGTH = 4 + 4 + 1 + 1;
export const DAY_STATE_LENGTH_MIN = FIXED_LENGTH + SIGNATURE_LENGTH;
/** 254 B: with its status word it still fits a short APDU response (256 data bytes). */
export const DAY_STATE_LENGTH_MAX =
  FIXED_LENGTH + DAY_STATE_CAMPAIGNS_MAX * CAMPAIGN_LENGTH + SIGNATURE_LENGTH;
/** `u32 advertiserId ‖ u32 cityKey`, appended to PUT RECEIPT for a phone that answered GET DAY STATE. */
export const RECEIPT_EXTRA_LENGTH = 8;
/** Per-campaign counts are u8 on the wire and saturate here. */
export const DAY_STATE_COUNT_MAX = 0xff;

export const DayStateFlag = {
  /** The wallet had cash on the requesting screen this cap day. */
  thisScreenHasCash: 0b0000_0001,
  /** The phone had taps of more campaigns than it lists: an unlisted campaign is unknown, not zero. */
  campaignsTruncated: 0b0000_0010,
} as const;
const DAY_STATE_FLAGS_KNOWN = DayStateFlag.thisScreenHasCash | DayStateFlag.campaignsTruncated;

/** GET DAY STATE's data, built by the kiosk for one tap. */
export interface DayStateRequest {
  screenId: number;
  /** The screen's city (cityKey), 0 when the kiosk does not know it. */
  cityKey: number;
  /** Unix seconds of the first second of the cap day in the network's cap time zone. */
  dayStart: number;
  ts: number;
  nonce: Uint8Array;
}

export interface DayStateCampaign {
  campaignId: number;
  advertiserId: number;
  /** Cash packets of this campaign this cap day (saturates at 255). */
  cash: number;
  /** Taps with a coupon and no cash of this campaign this cap day (saturates at 255). */
  coupons: number;
}

export interface DayState {
  version: number;
  walletId: number;
  dayStart: number;
  cashCount: number;
  cashFen: number;
  screensWithCash: number;
  flags: number;
  /** The phone's latest tap that paid cash, any day; 0 = none known (travel is judged against it). */
  lastTapTs: number;
  lastCityKey: number;
  campaigns: DayStateCampaign[];
  signature: Uint8Array;
}

export type UnsignedDayState = Omit<DayState, 'version' | 'signature'>;

export interface ReceiptExtra {
  advertiserId: number;
  cityKey: number;
}

export function encodeDayStateRequest(request: DayStateRequest): Uint8Array {
  return new ByteWriter(DAY_STATE_REQUEST_LENGTH)
    .u64(request.screenId)
    .u32(request.cityKey)
    .u32(request.dayStart)
    .u32(request.ts)
    .raw(request.nonce, DAY_STATE_NONCE_LENGTH)
    .finish();
}

export function decodeDayStateRequest(bytes: Uint8Array): Result<DayStateRequest> {
  if (bytes.length < DAY_STATE_REQUEST_LENGTH)
    return fail(ErrorCode.TRUNCATED, `day state request is shorter than ${DAY_STATE_REQUEST_LENGTH} bytes`);
  if (bytes.length > DAY_STATE_REQUEST_LENGTH)
    return fail(ErrorCode.BAD_LENGTH, `day state request is longer than ${DAY_STATE_REQUEST_LENGTH} bytes`);
  const reader = new ByteReader(bytes);
  const request = {
    screenId: reader.u64(),
    cityKey: reader.u32(),
    dayStart: reader.u32(),
    ts: reader.u32(),
    nonce: reader.raw(DAY_STATE_NONCE_LENGTH),
  };
  if (reader.u64Overflow) return fail(ErrorCode.U64_OUT_OF_RANGE, 'screenId exceeds 2^53 - 1');
  return ok(request);
}

export function dayStateLength(campaignCount: number): number {
  return FIXED_LENGTH + campaignCount * CAMPAIGN_LENGTH + SIGNATURE_LENGTH;
}

/** The signed part: every byte before the signature. */
export function encodeDayStateBody(state: UnsignedDayState): Uint8Array {
  const count = state.campaigns.length;
  if (count > DAY_STATE_CAMPAIGNS_MAX) throw new RangeError(`at most ${DAY_STATE_CAMPAIGNS_MAX} campaigns`);
  const writer = new ByteWriter(dayStateLength(count) - SIGNATURE_LENGTH)
    .u8(DAY_STATE_VERSION)
    .u64(state.walletId)
    .u32(state.dayStart)
    .u16(state.cashCount)
    .u32(state.cashFen)
    .u8(state.screensWithCash)
    .u8(state.flags)
    .u32(state.lastTapTs)
    .u32(state.lastCityKey)
    .u8(count);
  for (const campaign of state.campaigns)
    writer.u32(campaign.campaignId).u32(campaign.advertiserId).u8(campaign.cash).u8(campaign.coupons);
  return writer.finish();
}

export function encodeDayState(state: Omit<DayState, 'version'>): Uint8Array {
  return concatBytes(encodeDayStateBody(state), state.signature);
}

/** The phone's answer: the body signed with label `day-state` over `request ‖ body`. */
export function signDayState(request: Uint8Array, state: UnsignedDayState, phoneKey: KeyObject): Uint8Array {
  if (request.length !== DAY_STATE_REQUEST_LENGTH) throw new RangeError('request must be 32 bytes');
  const body = encodeDayStateBody(state);
  return concatBytes(body, sign(SignatureLabel.dayState, concatBytes(request, body), phoneKey));
}

export function decodeDayState(bytes: Uint8Array): Result<DayState> {
  if (bytes.length < DAY_STATE_LENGTH_MIN)
    return fail(ErrorCode.TRUNCATED, `day state is shorter than ${DAY_STATE_LENGTH_MIN} bytes`);
  const reader = new ByteReader(bytes);
  const version = reader.u8();
  if (version !== DAY_STATE_VERSION) return fail(ErrorCode.BAD_VERSION, `day state version ${version}`);
  const walletId = reader.u64();
  const dayStart = reader.u32();
  const cashCount = reader.u16();
  const cashFen = reader.u32();
  const screensWithCash = reader.u8();
  const flags = reader.u8();
  const lastTapTs = reader.u32();
  const lastCityKey = reader.u32();
  const count = reader.u8();
  if (count > DAY_STATE_CAMPAIGNS_MAX)
    return fail(
      ErrorCode.BATCH_TOO_LARGE,
      `day state lists ${count} campaigns, at most ${DAY_STATE_CAMPAIGNS_MAX}`,
    );
  const length = dayStateLength(count);
  if (bytes.length < length) return fail(ErrorCode.TRUNCATED, `day state of ${count} campaigns is truncated`);
  if (bytes.length > length) return fail(ErrorCode.BAD_LENGTH, `day state of ${count} campaigns is too long`);
  if (reader.u64Overflow) return fail(ErrorCode.U64_OUT_OF_RANGE, 'walletId exceeds 2^53 - 1');
  if ((flags & ~DAY_STATE_FLAGS_KNOWN) !== 0)
    return fail(ErrorCode.RESERVED_FLAGS, 'day state sets reserved flags');
  const campaigns: DayStateCampaign[] = [];
  const seen = new Set<number>();
  let listedCash = 0;
  for (let i = 0; i < count; i++) {
    const campaign = {
      campaignId: reader.u32(),
      advertiserId: reader.u32(),
      cash: reader.u8(),
      coupons: reader.u8(),
    };
    if (seen.has(campaign.campaignId))
      return fail(ErrorCode.TOKEN_INCONSISTENT, `campaign ${campaign.campaignId} is listed twice`);
    seen.add(campaign.campaignId);
    listedCash += campaign.cash;
    campaigns.push(campaign);
  }
  const signature = reader.raw(SIGNATURE_LENGTH);
  // A cash packet is never 0 fen, so the day's totals are all zero or all positive.
  const hasCash = cashCount > 0;
  if (hasCash !== cashFen > 0 || hasCash !== screensWithCash > 0)
    return fail(ErrorCode.TOKEN_INCONSISTENT, 'cash count, cash amount and screens with cash disagree');
  if (screensWithCash > cashCount)
    return fail(ErrorCode.TOKEN_INCONSISTENT, 'more screens with cash than cash packets');
  if ((flags & DayStateFlag.thisScreenHasCash) !== 0 && !hasCash)
    return fail(ErrorCode.TOKEN_INCONSISTENT, 'cash on this screen without cash today');
  if (listedCash > cashCount)
    return fail(ErrorCode.TOKEN_INCONSISTENT, 'campaigns list more cash than the day total');
  if (lastTapTs === 0 && (lastCityKey !== 0 || hasCash))
    return fail(ErrorCode.TOKEN_INCONSISTENT, 'cash today without a last cash tap');
  return ok({
    version,
    walletId,
    dayStart,
    cashCount,
    cashFen,
    screensWithCash,
    flags,
    lastTapTs,
    lastCityKey,
    campaigns,
    signature,
  });
}

export interface DayStateExpectation {
  /** The exact request the kiosk sent in GET DAY STATE. */
  request: Uint8Array;
  /** The phone key from the credential the phone presented in HELLO. */
  phoneKey: KeyObject;
  walletId: number;
}

/**
 * Decodes a day state and checks that it answers this kiosk's request: signature with label
 * `day-state` over `request ‖ body` by the credential's phone key, the credential's wallet and the
 * request's dayStart. A day state that fails any check tells the kiosk nothing.
 */
export function verifyDayState(bytes: Uint8Array, expected: DayStateExpectation): Result<DayState> {
  const request = decodeDayStateRequest(expected.request);
  if (!request.ok) return request;
  const decoded = decodeDayState(bytes);
  if (!decoded.ok) return decoded;
  const state = decoded.value;
  const bodyLength = bytes.length - SIGNATURE_LENGTH;
  const signed = concatBytes(expected.request, bytes.subarray(0, bodyLength));
  if (!verify(SignatureLabel.dayState, signed, state.signature, expected.phoneKey))
    return fail(ErrorCode.PHONE_SIGNATURE_INVALID, 'day state signature does not verify');
  if (state.walletId !== expected.walletId)
    return fail(
      ErrorCode.CREDENTIAL_MISMATCH,
      `day state of wallet ${state.walletId}, not ${expected.walletId}`,
    );
  if (state.dayStart !== request.value.dayStart)
    return fail(
      ErrorCode.TOKEN_INCONSISTENT,
      `day state of day ${state.dayStart}, not ${request.value.dayStart}`,
    );
  return ok(state);
}

export function encodeReceiptExtra(extra: ReceiptExtra): Uint8Array {
  return new ByteWriter(RECEIPT_EXTRA_LENGTH).u32(extra.advertiserId).u32(extra.cityKey).finish();
}

export function decodeReceiptExtra(bytes: Uint8Array): Result<ReceiptExtra> {
  if (bytes.length < RECEIPT_EXTRA_LENGTH)
    return fail(ErrorCode.TRUNCATED, 'receipt extra is shorter than 8 bytes');
  if (bytes.length > RECEIPT_EXTRA_LENGTH)
    return fail(ErrorCode.BAD_LENGTH, 'receipt extra is longer than 8 bytes');
  const reader = new ByteReader(bytes);
  return ok({ advertiserId: reader.u32(), cityKey: reader.u32() });
}
