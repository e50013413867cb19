// zod schemas for every JSON payload on MQTT (docs/protocol.md §5). Binary payloads (taps, decks) have
// codecs in ./wire instead. Every array and string is bounded.
import { z } from 'zod';
import { claimPaths } from './campaign-body.ts';
import { NetworkRulesSchema } from './rules/network-rules.ts';
import { ConfigRevocation } from './revocation.ts';
import { TAP_BATCH_SIZE_MAX } from './wire/tap-batch.ts';

const u32 = z.number().int().min(0).max(0xffffffff);
const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));

export const AckStatus = z.enum(['credited', 'duplicate', 'rejected', 'retry']);
export type AckStatus = z.infer<typeof AckStatus>;

export const AckResult = z.object({
  counter: u32.min(1),
  status: AckStatus,
  code: z.string().max(64).optional(),
  amountFen: u32.optional(),
});
export type AckResult = z.infer<typeof AckResult>;

/** cloud → screen on `…/acks`. Every status but `retry` is final. */
export const Ack = z.object({ results: z.array(AckResult).max(TAP_BATCH_SIZE_MAX) });
export type Ack = z.infer<typeof Ack>;

/** Characters of a brand or coupon title in a `claimed` message; the cloud shortens longer ones (§5.7). */
export const CLAIMED_TEXT_MAX = 64;
/** The largest `claimed` message (§5.7) in UTF-8 bytes; a kiosk drops a larger one unread. */
export const CLAIMED_BYTES_MAX = 1024;

const claimedText = z.string().min(1).max(CLAIMED_TEXT_MAX);
/** A refusal's or hold's code: a shared ErrorCode, checked for form only (an older kiosk still reads it). */
const claimedCode = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/);

/**
 * What the cloud decided for a claimed ticket (§5.7, §7a): what it paid (cash, or the campaign's fallback
 * coupon past the cash cap) and the brand that paid; a hold for review, whose cash is not paid yet; or a
 * refusal. Each with nothing but its own fields.
 */
export const TicketClaimResult = z.discriminatedUnion('status', [
  z
    .strictObject({
      status: z.literal('credited'),
      /** Cash the wallet was paid; 0 when the claim won the fallback coupon instead. */
      amountFen: u32,
      /** The fallback coupon's title, when the claim won it. */
      couponTitle: claimedText.optional(),
      /** The paying campaign's sponsor, else its advertiser's name; absent when the cloud has none. */
      brand: claimedText.optional(),
    })
    .refine((credited) => credited.amountFen > 0 || credited.couponTitle !== undefined, {
      message: 'a credited claim paid cash or a coupon',
    }),
  z.strictObject({ status: z.literal('held'), code: claimedCode }),
  z.strictObject({ status: z.literal('rejected'), code: claimedCode }),
]);
export type TicketClaimResult = z.infer<typeof TicketClaimResult>;

/**
 * cloud → screen on `…/claimed` (docs/protocol.md §5.7): a claim ticket of this screen was claimed, so the
 * screen replaces its QR code at once instead of at the next rotation, and celebrates a credited claim.
 */
export const TicketClaimed = z.strictObject({
  /** The claimed ticket's `ticketSeq` (§3.8). */
  ticketSeq: u32.min(1),
  /** Cloud clock when the claim was recorded. */
  claimedAt: u32,
  /** The claim's outcome; absent from clouds before it (the kiosk then only replaces its QR code). */
  result: TicketClaimResult.optional(),
});
export type TicketClaimed = z.infer<typeof TicketClaimed>;

export const DeckLevel = z.object({
  deckId: id,
  campaignId: id,
  remaining: z.number().int().min(0).max(0xffff),
  count: z.number().int().min(1).max(0xffff),
  validUntil: u32,
  /** The deck's fallback-coupon allotment (docs/protocol.md §3.4) and the slots left in it; absent from old kiosks. */
  fallbackCount: z.number().int().min(0).max(0xffff).optional(),
  fallbackRemaining: z.number().int().min(0).max(0xffff).optional(),
});
export type DeckLevel = z.infer<typeof DeckLevel>;

/** How a tag session of the reader acting as a Type 4 tag ended (docs/tap-exchange.md §10.4). */
export const TAG_SESSION_OUTCOMES = [
  'released',
  'field-lost',
  'no-phone',
  'exchange-limit',
  'time-limit',
  'rf-error',
  'reader-error',
] as const;
const tagCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The kiosk's tag reads since the agent started (docs/protocol.md §5.3); absent where the reader is no tag. */
export const TagReadCounts = z.object({
  /** Tag sessions by outcome; an outcome that never happened may be left out. */
  sessions: z.partialRecord(z.enum(TAG_SESSION_OUTCOMES), tagCount),
  /** Read sessions in which a phone read the whole NDEF message. */
  completeReads: tagCount,
  /** Claim tickets handed to the tag (one per SELECT of the NDEF application). */
  ticketsIssued: tagCount,
  /** SELECTs answered `6A 82` because no ticket could be signed. */
  ticketFailures: tagCount,
});
export type TagReadCounts = z.infer<typeof TagReadCounts>;

export const HeartbeatEvent = z.object({
  type: z.literal('heartbeat'),
  ts: u32,
  appVersion: z.string().max(64),
  counter: u32,
  backlog: z.number().int().min(0),
  decks: z.array(DeckLevel).max(256),
  /** The kiosk's uptime clock alongside its wall clock lets the cloud estimate skew. */
  uptimeS: z.number().int().min(0).optional(),
  /** The reader as a Type 4 tag: present only while the kiosk runs tag slices; old clouds ignore it. */
  tagReads: TagReadCounts.optional(),
  /**
   * The revocation number the screen is current to (§5.5, §5.8): it knows every revocation numbered at or
   * below it. Old kiosks leave it out; the cloud counts what screens confirm from it.
   */
  revocations: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

export const ProofOfPlayEvent = z.object({
  type: z.literal('proof-of-play'),
  periodStart: u32,
  periodEnd: u32,
  items: z
    .array(
      z.object({
        creativeSha256: sha256Hex,
        campaignId: z.number().int().min(0),
        plays: z.number().int().min(0),
        durationMs: z.number().int().min(0),
      }),
    )
    .max(1000),
});

export const DeckReceiptEvent = z.object({
  type: z.literal('deck-receipt'),
  deckId: id,
  status: z.enum(['stored', 'rejected']),
  code: z.string().max(64).optional(),
});

export const DeckLowEvent = z.object({
  type: z.literal('deck-low'),
  campaignId: id,
  deckId: id.optional(),
  remaining: z.number().int().min(0),
  /**
   * The rate the screen observed, for the operator's eyes only: the cloud sizes decks by the taps it
   * settled and ignores this, so no screen can size its own deck (docs/protocol.md §5.3).
   */
  tapRatePerHour: z.number().min(0).optional(),
});

export const DeckCloseEvent = z.object({
  type: z.literal('deck-close'),
  /** docs/protocol.md §3.6, hex encoded: 89 bytes (version 2) or 87 (version 1). */
  report: z.union([hex(89), hex(87)]),
});

export const ScreenEvent = z.discriminatedUnion('type', [
  HeartbeatEvent,
  ProofOfPlayEvent,
  DeckReceiptEvent,
  DeckLowEvent,
  DeckCloseEvent,
]);
export type ScreenEvent = z.infer<typeof ScreenEvent>;
export type HeartbeatEvent = z.infer<typeof HeartbeatEvent>;
export type ProofOfPlayEvent = z.infer<typeof ProofOfPlayEvent>;

/** Bytes of a presence message: a few dozen in practice; anything longer is not one. */
export const PRESENCE_BYTES_MAX = 256;

/**
 * A connection's number (docs/protocol.md §5.6): the kiosk's wall clock in ms at connect, raised to one
 * above the last when that is not higher, so it rises with every connection of the kiosk.
 */
export const PresenceSeq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * screen → cloud, retained on `…/presence`: `online` right after each connect, `offline` as the
 * connection's MQTT will and before a clean disconnect. Strict: nothing but these fields.
 */
export const ScreenPresence = z.discriminatedUnion('online', [
  z.strictObject({ online: z.literal(true), seq: PresenceSeq, ts: u32 }),
  z.strictObject({ online: z.literal(false), seq: PresenceSeq }),
]);
export type ScreenPresence = z.infer<typeof ScreenPresence>;

export const Daypart = z.object({
  /** ISO weekdays 1 (Monday) … 7; empty means every day. */
  days: z.array(z.number().int().min(1).max(7)).max(7),
  startMinute: z.number().int().min(0).max(1439),
  endMinute: z.number().int().min(1).max(1440),
});
export type Daypart = z.infer<typeof Daypart>;

export const PlaylistItem = z.object({
  campaignId: z.number().int().min(0),
  creativeSha256: sha256Hex,
  durationMs: z.number().int().min(1000).max(600_000),
  validFrom: u32,
  validUntil: u32,
  dayparts: z.array(Daypart).max(16),
});
export type PlaylistItem = z.infer<typeof PlaylistItem>;

export const CreativeEntry = z.object({
  sha256: sha256Hex,
  mime: z.enum(['image/png', 'image/jpeg', 'image/webp', 'video/mp4', 'video/webm']),
  bytes: z.number().int().min(1),
  url: z.string().max(2048),
});
export type CreativeEntry = z.infer<typeof CreativeEntry>;

export const IssuerKey = z.object({
  keyId: z.number().int().min(0).max(255),
  publicKey: hex(65),
  /** After this the key signs nothing new; credentials it signed stay valid until they expire. */
  retiredAt: u32.optional(),
});
export type IssuerKey = z.infer<typeof IssuerKey>;

export const CampaignConfig = z.object({
  campaignId: id,
  name: z.string().max(200),
  sponsor: z.string().max(200),
  /** Local cap: cash packets per wallet per campaign per local day on this screen. */
  cashPerWalletPerDay: z.number().int().min(0).max(100),
  /** Coupon given when the local cap withholds cash; 0 = a thank-you instead. */
  fallbackCouponOfferId: z.number().int().min(0),
  /**
   * Local cap: taps with a coupon and no cash per wallet per campaign per local day on this screen (the
   * cloud's CAP_CAMPAIGN_WALLET rule for coupons); the fallback coupon is withheld once they are reached.
   * Absent in configs from before it: no local coupon cap.
   */
  couponsPerWalletPerDay: z.number().int().min(0).max(100).optional(),
  /** The paying advertiser, for the phone's tap log (docs/protocol.md §4.4); absent in older configs. */
  advertiserId: u32.optional(),
  /**
   * The advertiser's choice: while this campaign's creative is on screen, a tap it cannot pay (no
   * envelope, or this wallet capped) may be paid by another campaign. Absent or false: only this campaign
   * pays (docs/kiosk.md, "Which campaign a tap pays").
   */
  fallThrough: z.boolean().optional(),
  /**
   * Where the campaign's prizes may be won (its rules' claimPaths, `offersPath`). Absent (the default,
   * and configs from before it): every path. Without `tap` the kiosk never awards an app tap for it, and
   * it plays without a deck: its prize is claimed online (docs/protocol.md §5.5).
   */
  claimPaths: z.array(z.enum(claimPaths)).min(1).max(claimPaths.length).optional(),
  couponOffers: z
    .array(
      z.object({
        couponOfferId: id,
        title: z.string().max(200),
        valueFen: u32,
        /** No coupon of this offer is awarded at or after this time; absent in configs from before it. */
        validUntil: u32.optional(),
      }),
    )
    .max(64),
});
export type CampaignConfig = z.infer<typeof CampaignConfig>;

/** cloud → screen, retained on `…/config`. */
export const ScreenConfig = z.object({
  version: z.number().int().min(0),
  issuedAt: u32,
  timezone: z.string().max(64),
  /** cityKey of the screen's city: where a phone's day state says its taps were (docs/protocol.md §4.4). */
  cityKey: u32.optional(),
  issuerKeys: z.array(IssuerKey).min(1).max(16),
  campaigns: z.array(CampaignConfig).max(64),
  playlist: z.array(PlaylistItem).max(500),
  creatives: z.array(CreativeEntry).max(500),
  /** Revoked credentials: a versioned window of the latest, older ones paged over HTTP (§5.5, §5.9). */
  revocation: ConfigRevocation,
  /** Deck refill is requested when fewer envelopes than this are left. */
  deckRefillThreshold: z.number().int().min(0).max(0xffff),
  /** The network's limits the kiosk judges taps by, as the cloud does (docs/protocol.md §7); absent in older configs. */
  rules: NetworkRulesSchema.optional(),
  /**
   * Where phones reach the web wallet, the origin of the screen's claim URLs (docs/protocol.md §3.8).
   * Absent: the kiosk uses the cloud HTTP URL it was enrolled against.
   */
  publicOrigin: z
    .string()
    .max(256)
    .regex(/^https?:\/\/[^\s?#]+$/)
    .optional(),
});
export type ScreenConfig = z.infer<typeof ScreenConfig>;
