// A real kiosk for browser tests: an enrolled SQLite store with config and a deck, the tap engine,
// the simulated reader with virtual phones, the UI hub and the browser host on loopback.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signCredential, type KeyPair, type PlaylistItem, type ScreenConfig } from '@redtap/shared';
import {
  SimulatedTapSource,
  VirtualPhone,
  bankCard,
  mifareTag,
  type ExchangeResult,
  type PhoneBehaviour,
  type VirtualCard,
} from '@redtap/tap-reader';
import { addPlays } from '../../src/store/proof-of-play-queries.ts';
import type { Store } from '../../src/store/open-store.ts';
import type { TapEngine } from '../../src/engine/tap-engine.ts';
import { KioskUiHub, type AcceptedPlay } from '../../src/host/kiosk-ui-hub.ts';
import { TapUiFeed } from '../../src/host/tap-feed.ts';
import { startBrowserHost, type BrowserHost } from '../../src/host/browser-host.ts';
import type { CreativeMime } from '../../src/playlist/playlist.ts';
import type { UiLocale } from '../../src/ui-api/channels.ts';
import {
  deckBytes,
  keys,
  kiosk,
  networkRules,
  screenConfig,
  SCREEN_ID,
  T0,
  tempDir,
} from '../../test/fixtures.ts';
import { EngineTapHandler } from '../../src/agent/tap-handler.ts';

export interface Creative {
  sha256: string;
  mime: CreativeMime;
  bytes: Uint8Array;
}

export function creativeOf(bytes: Uint8Array, mime: CreativeMime = 'image/png'): Creative {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), mime, bytes };
}

export function playlistItem(creative: Creative, overrides: Partial<PlaylistItem> = {}): PlaylistItem {
  return {
    campaignId: 12,
    creativeSha256: creative.sha256,
    durationMs: 1_000,
    validFrom: 0,
    validUntil: 0xffffffff,
    dayparts: [],
    ...overrides,
  };
}

export class KioskHarness {
  readonly store: Store;
  readonly engine: TapEngine;
  readonly hub: KioskUiHub;
  readonly source: SimulatedTapSource;
  readonly plays: AcceptedPlay[] = [];
  private readonly handler: EngineTapHandler;
  private readonly contentDir: string;
  private readonly cleanupDir: () => void;
  private readonly cached = new Map<string, CreativeMime>();
  private playlist: PlaylistItem[] = [];
  private host: BrowserHost | null = null;

  constructor(options: { config?: Partial<ScreenConfig>; locale?: UiLocale } = {}) {
    const dir = tempDir();
    this.cleanupDir = dir.cleanup;
    this.contentDir = join(dir.dir, 'content');
    mkdirSync(this.contentDir);
    // Configured as today's cloud configures a screen: with the network's rules, so a phone that
    // sends its day state gets firm prizes.
    const config = screenConfig({ rules: networkRules, ...options.config });
    const built = kiosk(dir.dir, { now: () => T0, config });
    this.store = built.store;
    this.engine = built.engine;
    this.engine.storeDeck(deckBytes());
    this.hub = new KioskUiHub({
      ...(options.locale === undefined ? {} : { locale: options.locale }),
      playlist: () => ({ playlist: this.playlist, timezone: config.timezone, cached: this.cached }),
      creativeFile: (sha256) => {
        const mime = this.cached.get(sha256);
        return mime === undefined ? null : { path: join(this.contentDir, sha256), mime };
      },
      onPlay: (play) => {
        this.plays.push(play);
        const periodStart = Math.floor(play.startedAtMs / 3_600_000) * 3_600;
        addPlays(this.store, {
          periodStart,
          periodEnd: periodStart + 3_600,
          creativeSha256: play.creativeSha256,
          campaignId: play.campaignId,
          plays: 1,
          durationMs: play.durationMs,
        });
      },
    });
    this.hub.setStatus({ enrolled: true, screenId: SCREEN_ID });
    const couponTitles = new Map(
      config.campaigns.flatMap((c) =>
        c.couponOffers.map((o) => [`${c.campaignId}:${o.couponOfferId}`, o.title]),
      ),
    );
    const feed = new TapUiFeed(
      this.hub,
      (campaignId, couponOfferId) => couponTitles.get(`${campaignId}:${couponOfferId}`) ?? null,
    );
    this.handler = new EngineTapHandler({ engine: this.engine, feed });
    this.source = new SimulatedTapSource({ handler: this.handler, readerNames: ['Simulated Reader 0'] });
    this.handler.attach(this.source);
  }

  async start(port = 0): Promise<string> {
    await this.source.start();
    this.hub.start();
    this.host = await startBrowserHost({ kiosk: this.hub, port });
    return this.host.url;
  }

  async stop(): Promise<void> {
    this.hub.stop();
    await this.source.stop();
    await this.host?.close();
    this.store.close();
    this.cleanupDir();
  }

  /** Puts a creative into the content cache, as the content downloader would. */
  cache(creative: Creative): void {
    writeFileSync(join(this.contentDir, creative.sha256), creative.bytes);
    this.cached.set(creative.sha256, creative.mime);
    this.hub.refreshPlaylist();
  }

  setPlaylist(items: PlaylistItem[]): void {
    this.playlist = items;
    this.hub.refreshPlaylist();
  }

  phone(
    walletId: number,
    behaviour: PhoneBehaviour = { kind: 'normal' },
    keyPair: KeyPair = keys.phone,
  ): VirtualPhone {
    const credential = signCredential(
      {
        walletId,
        credentialSerial: 1,
        phonePublicKey: keyPair.publicKeyRaw,
        expiresAt: T0 + 365 * 86_400,
        issuerKeyId: 1,
      },
      keys.issuer.privateKey,
    );
    return new VirtualPhone({ keyPair, credential, behaviour });
  }

  /** What the agent does when the cloud revokes the screen: refuse taps, show out of service. */
  setOutOfService(outOfService: boolean): void {
    this.handler.setOutOfService(outOfService);
    this.hub.setStatus({ outOfService });
  }

  /** One tap: the card enters the field, the exchange runs, the card leaves. */
  async tap(card: VirtualCard): Promise<ExchangeResult> {
    try {
      return await this.source.present(card);
    } finally {
      this.source.remove();
    }
  }

  static bankCard(): VirtualCard {
    return bankCard();
  }

  static tag(): VirtualCard {
    return mifareTag();
  }
}
