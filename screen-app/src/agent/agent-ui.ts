// The agent's screen UI: a KioskUiHub fed from the retained config (playlist, timezone, coupon titles),
// the content cache (which creatives are playable, where their files are), the MQTT link (online), the
// claim ticket on screen and the enrolled identity; accepted proof-of-play reports go into the store's aggregates.
import type { ScreenConfig } from '@redtap/shared';
import type { Logger } from 'pino';
import type { ContentCache } from '../content/content-cache.ts';
import { KioskUiHub } from '../host/kiosk-ui-hub.ts';
import { TapUiFeed } from '../host/tap-feed.ts';
import { cachedCreatives, campaignsOnAir } from '../playlist/playlist.ts';
import type { StartTimer } from '../playlist/playlist-player.ts';
import type { Store } from '../store/open-store.ts';
import { campaignsWithUsableDeck } from '../store/deck-queries.ts';
import { addPlays } from '../store/proof-of-play-queries.ts';
import type { UiLocale } from '../ui-api/channels.ts';

/** Proof-of-play aggregates are kept per hour; each period goes up as one event (docs/protocol.md §5.3). */
export const PROOF_OF_PLAY_PERIOD_S = 3_600;

export interface AgentUiOptions {
  store: Store;
  content: Pick<ContentCache, 'has' | 'pathFor'>;
  screenId: number;
  config: ScreenConfig | null;
  locale: UiLocale;
  logger: Logger;
  nowMs?: () => number;
  /** The tap engine's clock (Unix seconds), which judges whether a deck is usable; from nowMs by default. */
  nowS?: () => number;
  startTimer?: StartTimer;
}

export class AgentUi {
  readonly hub: KioskUiHub;
  readonly feed: TapUiFeed;
  private config: ScreenConfig | null;
  private couponTitles = new Map<string, string>();

  constructor(options: AgentUiOptions) {
    this.config = null;
    const { store, content, logger } = options;
    const nowMs = options.nowMs ?? (() => Date.now());
    const nowS = options.nowS ?? (() => Math.floor(nowMs() / 1000));
    /** A campaign's creatives play only while its deck can pay a tap (docs/kiosk.md §7). */
    const campaignsWithDeck = (): ReadonlySet<number> => {
      try {
        return campaignsWithUsableDeck(store, nowS());
      } catch (error) {
        // A store that cannot be read takes no tap either: default content until it can.
        logger.error({ err: error }, 'reading the usable decks failed');
        return new Set();
      }
    };
    this.hub = new KioskUiHub({
      locale: options.locale,
      logger: logger.child({ component: 'ui' }),
      ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
      ...(options.startTimer === undefined ? {} : { startTimer: options.startTimer }),
      playlist: () => {
        const config = this.config;
        if (config === null) return { playlist: [], timezone: 'UTC', cached: new Map() };
        return {
          playlist: config.playlist,
          timezone: config.timezone,
          cached: cachedCreatives(config.creatives, (sha256) => content.has(sha256)),
          campaignsWithDeck: campaignsOnAir(config.campaigns, campaignsWithDeck()),
        };
      },
      creativeFile: (sha256) => {
        const entry = this.config?.creatives.find((creative) => creative.sha256 === sha256);
        const path = entry === undefined ? null : content.pathFor(sha256);
        return entry === undefined || path === null ? null : { path, mime: entry.mime };
      },
      onPlay: (play) => {
        const periodStart =
          Math.floor(play.startedAtMs / 1000 / PROOF_OF_PLAY_PERIOD_S) * PROOF_OF_PLAY_PERIOD_S;
        try {
          addPlays(store, {
            periodStart,
            periodEnd: periodStart + PROOF_OF_PLAY_PERIOD_S,
            creativeSha256: play.creativeSha256,
            campaignId: play.campaignId,
            plays: 1,
            durationMs: play.durationMs,
          });
        } catch (error) {
          // Plays are not money: a store failure loses one play record, never a tap.
          logger.error({ err: error }, 'recording a play failed');
        }
      },
    });
    this.feed = new TapUiFeed(
      this.hub,
      (campaignId, couponOfferId) => this.couponTitles.get(`${campaignId}:${couponOfferId}`) ?? null,
    );
    this.applyConfig(options.config);
    this.hub.setStatus({ enrolled: true, screenId: options.screenId, online: false });
  }

  start(): void {
    this.hub.start();
  }

  stop(): void {
    this.hub.stop();
  }

  /** A newer retained config was stored. */
  applyConfig(config: ScreenConfig | null): void {
    this.config = config;
    this.couponTitles = new Map(
      (config?.campaigns ?? []).flatMap((campaign) =>
        campaign.couponOffers.map((offer) => [`${campaign.campaignId}:${offer.couponOfferId}`, offer.title]),
      ),
    );
    this.hub.refreshPlaylist();
  }

  /** The content cache finished a pass: newly cached creatives become playable. */
  contentChanged(): void {
    this.hub.refreshPlaylist();
  }

  /** A deck arrived or a tap took an envelope: a campaign may have gained or lost its last usable deck. */
  decksChanged(): void {
    this.hub.refreshPlaylist();
  }

  setOnline(online: boolean): void {
    this.hub.setStatus({ online });
  }

  setOutOfService(outOfService: boolean): void {
    this.hub.setStatus({ outOfService });
  }

  /** Waiting for the broker to take a login the cloud says is good (docs/protocol.md §5.9). */
  setConnecting(connecting: boolean): void {
    this.hub.setStatus({ connecting });
  }

  /** The claim ticket on screen changed (docs/protocol.md §3.8): the QR code shows this URL. */
  setTicketUrl(ticketUrl: string | null): void {
    this.hub.setStatus({ ticketUrl });
  }
}
