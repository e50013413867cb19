// One simulated kiosk: the real kiosk agent (store, tap engine, MQTT sync, simulated reader) behind a
// link proxy, with its own clock. Taps on one screen are paced like people in a lift (one every few
// seconds of kiosk time) so the cloud's inhuman-rate rule judges a realistic stream; kiosk time runs
// ahead of the wall clock only within the cloud's clock-skew tolerance, and an idle screen's clock
// follows the wall clock (a fixed distance behind it), so a deck issued at any point is already valid.
import {
  backlogCount,
  deckLevels,
  lastCommittedCounter,
  loadConfig,
  readKioskStatus,
  startKioskAgent,
  type KioskAgent,
  type TapPrize as EnginePrize,
} from '@redtap/screen-app';
import { TapFlag } from '@redtap/shared';
import { PhoneTapLog, VirtualPhone } from '@redtap/tap-reader';
import { pino, type Logger } from 'pino';
import { startLinkProxy, type LinkProxy } from '../lib/link-proxy.ts';
import { certaintyOf, type ScreenPromise } from './fidelity.ts';
import type { SimPhone, SimScreen } from './sim-world.ts';

/** Each simulated phone's tap log, which it signs its day state from (docs/protocol.md §4.4). */
const phoneTapLogs = new WeakMap<SimPhone, PhoneTapLog>();

/** Kiosk seconds between two taps on one screen: 10 taps then span ≥ 20 s (the cloud's rate rule). */
export const TAP_SPACING_S = 2.5;
/**
 * An idle kiosk's clock stays this far behind the wall clock (inside a fresh deck's validFrom slack of
 * 300 s), which leaves that much headroom for taps coming faster than TAP_SPACING_S of wall time.
 */
const CLOCK_BEHIND_S = 280;
/** …and never runs further ahead of it than this (the cloud accepts 300 s). */
const CLOCK_AHEAD_MAX_S = 240;
/** Kiosk seconds a screen's taps may gain on the wall clock before the clock is held back. */
export const CLOCK_HEADROOM_S = CLOCK_BEHIND_S + CLOCK_AHEAD_MAX_S;

/** What the tap gave the phone at the screen (from the committed token). */
export type TapPrize =
  'cash' | 'coupon' | 'fallback coupon, no deck' | 'fallback coupon, local cap' | 'nothing';

export interface SettledTap {
  screenId: number;
  counter: number;
  latencyMs: number;
  /** The ack's status and code for the kiosk's copy. */
  status: string;
  code: string | null;
  prize: TapPrize;
}

export interface SimTapResult {
  outcome: string;
  code: string | null;
  /** The exchange's own account of its outcome. */
  message: string;
  committed: boolean;
  /** The tap's counter when committed. */
  counter: number | null;
  receipt: Uint8Array | null;
  /** What the screen promised for the committed tap (null when nothing was committed). */
  promise: ScreenPromise | null;
}

function prizeOf(row: { amountFen: number; couponOfferId: number; flags: number }): TapPrize {
  if (row.amountFen > 0) return 'cash';
  if (row.couponOfferId === 0) return 'nothing';
  if ((row.flags & TapFlag.noDeck) !== 0) return 'fallback coupon, no deck';
  if ((row.flags & TapFlag.localCap) !== 0) return 'fallback coupon, local cap';
  return 'coupon';
}

export class SimKiosk {
  readonly screen: SimScreen;
  readonly link: LinkProxy;
  readonly agent: KioskAgent;
  /** Committed counters waiting for their ack, with the commit time. */
  private readonly unsettled = new Map<number, number>();
  /** Kiosk time of the last tap; see kioskNowS(). */
  private clockS: number;
  private readonly onSettled: (tap: SettledTap) => void;
  offline = false;
  /** This screen spends part of the run offline (its latencies include that). */
  offlineTapped = false;
  /** Set when kiosk time had to be held back to stay within the cloud's skew tolerance. */
  clockClamped = 0;
  /** The campaign on screen when the engine began the tap in progress, and whether it lets others pay. */
  private showing: { campaignId: number | null; fallThrough: boolean } = {
    campaignId: null,
    fallThrough: false,
  };
  /** The prize the engine committed for the tap in progress: what the screen then shows. */
  private committedPrize: EnginePrize | null = null;

  private constructor(
    screen: SimScreen,
    link: LinkProxy,
    agent: KioskAgent,
    clock: { s: number },
    onSettled: (tap: SettledTap) => void,
  ) {
    this.screen = screen;
    this.link = link;
    this.agent = agent;
    this.clockS = clock.s;
    this.onSettled = onSettled;
  }

  static async start(options: {
    screen: SimScreen;
    /** The broker; by default the one the kiosk's enrolment named. */
    brokerUrl?: string;
    onSettled: (tap: SettledTap) => void;
    logger?: Logger;
  }): Promise<SimKiosk> {
    const enrolledBroker = readKioskStatus(options.screen.dataDir, Math.floor(Date.now() / 1000)).broker;
    const broker = new URL(options.brokerUrl ?? enrolledBroker ?? 'mqtt://127.0.0.1:1884');
    const link = await startLinkProxy({ targetHost: broker.hostname, targetPort: Number(broker.port) });
    const clock = { s: Date.now() / 1000 - CLOCK_BEHIND_S };
    let kiosk: SimKiosk | null = null;
    const started = await startKioskAgent({
      dataDir: options.screen.dataDir,
      reader: 'simulated',
      mqttUrl: link.url,
      logger: options.logger ?? pino({ enabled: false }),
      now: () => Math.floor(kiosk?.kioskNowS() ?? clock.s),
      syncLimits: { reconnectInitialMs: 250, reconnectMaxMs: 2_000 },
      onSyncEvent: (event) => {
        if (event.type === 'ack') kiosk?.collectSettled();
      },
    });
    if (!started.ok) {
      await link.close();
      throw new Error(`kiosk ${options.screen.index}: ${started.message}`);
    }
    kiosk = new SimKiosk(options.screen, link, started.agent, clock, options.onSettled);
    kiosk.observeEngine();
    return kiosk;
  }

  /**
   * Notes, for each tap, the campaign on screen when the engine begins it (the moment the engine itself
   * looks) and the prize it commits, which is what the screen shows and the phone's receipt names.
   */
  private observeEngine(): void {
    const engine = this.agent.engine;
    const beginTap = engine.beginTap.bind(engine);
    const completeTap = engine.completeTap.bind(engine);
    engine.beginTap = (...args) => {
      this.showing = this.showingNow();
      this.committedPrize = null;
      return beginTap(...args);
    };
    engine.completeTap = (...args) => {
      const done = completeTap(...args);
      if (done.ok) this.committedPrize = done.prize;
      return done;
    };
  }

  private showingNow(): { campaignId: number | null; fallThrough: boolean } {
    const item = this.agent.ui.state().item;
    if (item.kind !== 'creative') return { campaignId: null, fallThrough: false };
    const campaign = loadConfig(this.agent.store)?.campaigns.find((c) => c.campaignId === item.campaignId);
    return { campaignId: item.campaignId, fallThrough: campaign?.fallThrough === true };
  }

  /** The campaign whose creative is on screen now (null: default content). */
  showingCampaignId(): number | null {
    const item = this.agent.ui.state().item;
    return item.kind === 'creative' ? item.campaignId : null;
  }

  /** Kiosk time: the last tap's, or the wall clock less CLOCK_BEHIND_S when that is later. */
  kioskNowS(): number {
    return Math.max(this.clockS, Date.now() / 1000 - CLOCK_BEHIND_S);
  }

  get connected(): boolean {
    return this.agent.sync.isConnected;
  }

  envelopesLeft(): number {
    return deckLevels(this.agent.store, Math.floor(this.kioskNowS())).reduce(
      (sum, level) => sum + level.remaining,
      0,
    );
  }

  /** Decks held that are neither expired nor closed, used up or not. */
  openDecks(): number {
    return deckLevels(this.agent.store, Math.floor(this.kioskNowS())).length;
  }

  backlog(): number {
    return backlogCount(this.agent.store);
  }

  get unsettledCount(): number {
    return this.unsettled.size;
  }

  setOffline(offline: boolean): void {
    this.offline = offline;
    this.link.setOnline(!offline);
  }

  /** One tap of `phone` on reader 0; the caller never taps one kiosk twice at once. */
  async tap(phone: SimPhone): Promise<SimTapResult> {
    const simulator = this.agent.simulator;
    if (simulator === null) throw new Error('the simulated reader is not running');
    const wallClockS = Date.now() / 1000;
    const next = Math.max(this.clockS + TAP_SPACING_S, wallClockS - CLOCK_BEHIND_S);
    if (next > wallClockS + CLOCK_AHEAD_MAX_S) this.clockClamped += 1;
    this.clockS = Math.min(next, wallClockS + CLOCK_AHEAD_MAX_S);
    // The phone's own tap log outlives each presentation, so its day state spans every screen it tapped.
    const tapLog = phoneTapLogs.get(phone) ?? new PhoneTapLog();
    phoneTapLogs.set(phone, tapLog);
    const card = new VirtualPhone({
      keyPair: phone.keyPair,
      credential: phone.credential,
      tapLog,
      dayState: phone.dayState ?? true,
    });
    const readerName = simulator.readers()[0]?.name;
    let result;
    try {
      result = await simulator.present(card, readerName);
    } finally {
      simulator.remove(readerName);
    }
    const counter = result.committed ? lastCommittedCounter(this.agent.store) : null;
    const prize = this.committedPrize;
    const promise: ScreenPromise | null =
      counter === null || prize?.counter !== counter
        ? null
        : {
            screenId: this.screen.screenId,
            counter,
            walletId: prize.walletId,
            // As the screen shows it (ui-api/tap-view.ts): no cash on "already grabbed" or "thank you".
            amountFen: prize.localCap || prize.noDeck ? 0 : prize.amountFen,
            couponOfferId: prize.couponOfferId,
            campaignId: prize.campaignId,
            showingCampaignId: this.showing.campaignId,
            fallThrough: this.showing.fallThrough,
            certainty: certaintyOf(prize),
            ts: prize.ts,
          };
    if (counter !== null) {
      this.unsettled.set(counter, performance.now());
      // The ack may have come while the exchange was finishing; no later ack would report this tap.
      this.collectSettled();
    }
    return {
      outcome: result.outcome,
      code: result.code,
      message: result.message,
      committed: result.committed,
      counter,
      receipt: card.receipts.at(-1)?.token ?? null,
      promise,
    };
  }

  /** After an ack: every tap of ours now settled in the store is reported once, with its latency. */
  collectSettled(): void {
    if (this.unsettled.size === 0) return;
    const counters = [...this.unsettled.keys()];
    const low = Math.min(...counters);
    const high = Math.max(...counters);
    const rows = this.agent.store.sqlite
      .prepare(
        `SELECT counter, ack_status AS status, ack_code AS code, amount_fen AS amountFen,
           coupon_offer_id AS couponOfferId, flags
         FROM taps WHERE state = 'settled' AND counter BETWEEN ? AND ?`,
      )
      .all(low, high) as {
      counter: number;
      status: string | null;
      code: string | null;
      amountFen: number;
      couponOfferId: number;
      flags: number;
    }[];
    const nowMs = performance.now();
    for (const row of rows) {
      const committedAtMs = this.unsettled.get(row.counter);
      if (committedAtMs === undefined) continue;
      this.unsettled.delete(row.counter);
      this.onSettled({
        screenId: this.screen.screenId,
        counter: row.counter,
        latencyMs: nowMs - committedAtMs,
        status: row.status ?? 'unknown',
        code: row.code,
        prize: prizeOf(row),
      });
    }
  }

  async stop(): Promise<void> {
    await this.agent.stop();
    await this.link.close();
  }
}
