// The one map of every channel between the kiosk and its screen UI, with payload and return types
// (after desktop/desktop's ipc-shared.ts). Browser-safe: the renderer, the Electron shell and the
// browser host all import it, so it may depend on nothing but zod.
import { z } from 'zod';
import {
  ipcChannelOf,
  isUiActionChannel,
  isUiEventChannel,
  UI_ACTION_CHANNELS,
  UI_EVENT_CHANNELS,
  type UiActionChannelName,
  type UiEventChannelName,
} from './channel-names.ts';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const u32 = z.number().int().min(0).max(0xffffffff);
const fen = z.number().int().min(0).max(0xffffffff);
const reason = z.string().max(64);
const title = z.string().max(200);
/**
 * 'firm': the kiosk knew enough to be sure the cloud pays what it shows. 'confirming': it could not be
 * (a phone without day state, a clock it cannot trust), so the screen shows the amount as confirming,
 * not as sent to the wallet.
 */
export const TapCertainty = z.enum(['firm', 'confirming']);
export type TapCertainty = z.infer<typeof TapCertainty>;

export const UiLocale = z.enum(['zh', 'en']);
export type UiLocale = z.infer<typeof UiLocale>;

/** What the ad loop shows now: a cached creative from the playlist, or the built-in default. */
export const PlaylistItemView = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('creative'),
    /** Rises with every item started, so the renderer can tell a repeat of the same creative apart. */
    seq: z.number().int().min(0),
    creativeSha256: sha256Hex,
    campaignId: z.number().int().min(0),
    mime: z.enum(['image/png', 'image/jpeg', 'image/webp', 'video/mp4', 'video/webm']),
    durationMs: z.number().int().min(1).max(600_000),
  }),
  z.object({
    kind: z.literal('default'),
    seq: z.number().int().min(0),
    durationMs: z.number().int().min(1).max(600_000),
  }),
]);
export type PlaylistItemView = z.infer<typeof PlaylistItemView>;

/** kiosk → screen: the whole state the screen needs, sent on connect and on every change. */
export const ScreenState = z.object({
  online: z.boolean(),
  /** The cloud refused this screen (revoked): it shows so and commits no tap. */
  outOfService: z.boolean().optional(),
  /**
   * Offline because the broker does not take the screen's login yet, though the cloud says it is active
   * (its broker identity is still being made, docs/protocol.md §5.9): the screen says it is connecting
   * instead of offline, and taps work offline as ever.
   */
  connecting: z.boolean().optional(),
  enrolled: z.boolean(),
  screenId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable(),
  locale: UiLocale,
  item: PlaylistItemView,
  /**
   * The claim URL of the ticket on screen (docs/protocol.md §3.8), shown as a QR code for phones without
   * the wallet app; null or absent: no QR code.
   */
  ticketUrl: z.string().max(512).nullable().optional(),
});
export type ScreenState = z.infer<typeof ScreenState>;

/**
 * kiosk → screen: one tap as the commuter should see it. `tapId` ties `reading` to its outcome.
 * Amounts are integer fen; the renderer formats them with formatFen.
 */
export const TapView = z.discriminatedUnion('state', [
  z.object({ state: z.literal('reading'), tapId: z.number().int().min(1) }),
  z.object({
    state: z.literal('prize'),
    tapId: z.number().int().min(1),
    counter: u32,
    amountFen: fen,
    couponTitle: title.nullable(),
    certainty: TapCertainty,
  }),
  /**
   * The local cap withheld cash today; a fallback coupon may still be given. `certainty` comes only with
   * a coupon the kiosk cannot be sure of ('confirming'); absent, the coupon is firm.
   */
  z.object({
    state: z.literal('already-grabbed'),
    tapId: z.number().int().min(1),
    counter: u32,
    couponTitle: title.nullable(),
    certainty: TapCertainty.optional(),
  }),
  /** Nothing left to give (no deck): the tap is still recorded. `certainty` as for already-grabbed. */
  z.object({
    state: z.literal('thank-you'),
    tapId: z.number().int().min(1),
    counter: u32,
    couponTitle: title.nullable(),
    certainty: TapCertainty.optional(),
  }),
  /**
   * Not a tap: a phone claimed a claim ticket of this screen online (its QR code, or the reader as a tag)
   * and the cloud paid it (docs/protocol.md §5.7): the cash it paid (0 when it gave the fallback coupon
   * instead), that coupon's title, and the brand that paid.
   */
  z.object({
    state: z.literal('claimed'),
    tapId: z.number().int().min(1),
    ticketSeq: u32.min(1),
    amountFen: fen,
    couponTitle: title.nullable(),
    brand: title.nullable(),
  }),
  /** Nothing was recorded: the phone left early, the exchange failed or the screen was busy. */
  z.object({ state: z.literal('try-again'), tapId: z.number().int().min(1), reason }),
  /** Not a RedTap wallet (a bank card, a tag), or a credential this screen cannot accept. */
  z.object({ state: z.literal('not-supported'), tapId: z.number().int().min(1), reason }),
  /** The screen itself cannot take taps now (not enrolled, no campaign, store failure). */
  z.object({ state: z.literal('unavailable'), tapId: z.number().int().min(1), reason }),
]);
export type TapView = z.infer<typeof TapView>;
export type TapViewState = TapView['state'];

/** screen → kiosk after a creative was on screen: one proof-of-play record. */
export const PlayReport = z.object({
  /** The `seq` of the PlaylistItemView that was shown; the kiosk accepts one report per showing. */
  seq: z.number().int().min(0),
  creativeSha256: sha256Hex,
  campaignId: z.number().int().min(0),
  /** Unix milliseconds when the creative became visible. */
  startedAtMs: z.number().int().min(0),
  durationMs: z.number().int().min(0).max(600_000),
});
export type PlayReport = z.infer<typeof PlayReport>;

export const ReadyArgs = z.object({ rendererVersion: z.string().max(64) });
export type ReadyArgs = z.infer<typeof ReadyArgs>;

export const CreativeUrlArgs = z.object({ creativeSha256: sha256Hex });
export type CreativeUrlArgs = z.infer<typeof CreativeUrlArgs>;

/** Every kiosk → screen event: channel → payload schema. */
export const uiEventSchemas = {
  state: ScreenState,
  tap: TapView,
} as const;

/** Every screen → kiosk action: channel → argument and result schemas. */
export const uiActionSchemas = {
  /** The renderer mounted; answers with the current state so nothing is missed before subscribing. */
  ready: { args: ReadyArgs, result: ScreenState },
  /** Proof of play for one finished showing of a creative. */
  reportPlay: { args: PlayReport, result: z.null() },
  /** Where the renderer loads a cached creative from; null when it is not (or no longer) cached. */
  getCreativeUrl: { args: CreativeUrlArgs, result: z.string().max(2048).nullable() },
} as const;

export type UiEventChannel = keyof typeof uiEventSchemas;
export type UiEventMap = { [C in UiEventChannel]: z.infer<(typeof uiEventSchemas)[C]> };
export type UiActionChannel = keyof typeof uiActionSchemas;
export type UiActionArgs<C extends UiActionChannel> = z.infer<(typeof uiActionSchemas)[C]['args']>;
export type UiActionResult<C extends UiActionChannel> = z.infer<(typeof uiActionSchemas)[C]['result']>;

export const uiEventChannels: readonly UiEventChannel[] = UI_EVENT_CHANNELS;
export const uiActionChannels: readonly UiActionChannel[] = UI_ACTION_CHANNELS;
export { ipcChannelOf, isUiActionChannel, isUiEventChannel };

/** The name lists and the schema maps must name exactly the same channels. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _eventNamesMatch: Same<UiEventChannel, UiEventChannelName> = true;
const _actionNamesMatch: Same<UiActionChannel, UiActionChannelName> = true;

export type UiEventListener<C extends UiEventChannel> = (payload: UiEventMap[C]) => void;

/**
 * The typed API the renderer talks to, whatever carries it (Electron IPC or the WebSocket bridge).
 * One method per action, plus a subscription per event.
 */
export interface UiApi {
  ready(args: ReadyArgs): Promise<ScreenState>;
  reportPlay(args: PlayReport): Promise<null>;
  getCreativeUrl(args: CreativeUrlArgs): Promise<string | null>;
  on<C extends UiEventChannel>(channel: C, listener: UiEventListener<C>): () => void;
}

/** Compile-time check that UiApi has exactly one method per action with the map's types. */
type ActionMethods = { [C in UiActionChannel]: (args: UiActionArgs<C>) => Promise<UiActionResult<C>> };
const _uiApiMatchesMap = (api: UiApi): ActionMethods => api;
