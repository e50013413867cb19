// What a screen promises is what the cloud decides, across screens and cities. Three real kiosk agents
// (two in Shanghai, one in Hangzhou) on one real cloud; commuters tap from screen to screen. A phone
// that sends its signed day state lets each kiosk judge the network's caps and travel as the cloud
// will: every prize it shows as firm is exactly what the cloud credits, and a cap reached on another
// screen or a trip no commuter could make withholds the cash on the screen itself. A phone from before
// the day state gets the cash the kiosk cannot judge shown as "confirming", never as sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import { VirtualPhone } from '@redtap/tap-reader';
import {
  startEnrolledAgent,
  stopEnrolledAgent,
  tapCard,
  type EnrolledAgent,
} from '../../test/agent-harness.ts';
import { startTestCloud, type TestCloud } from '../../test/cloud-harness.ts';
import { activeCampaign, registerWallet, walletCoupons } from '../../test/cloud-money.ts';
import { tempDir } from '../../test/fixtures.ts';
import { Waiter } from '../../test/sync-harness.ts';
import { deckLevels } from '../decks/deck-levels.ts';
import type { KioskUiEvent } from '../host/kiosk-ui-port.ts';
import { getTap } from '../store/tap-queries.ts';
import type { SyncEvent } from '../sync/screen-sync.ts';
import type { TapView } from '../ui-api/channels.ts';

const AMOUNT_FEN = 66;
const COUPON_TITLE = '¥3 off noodles';
const CASH_PER_WALLET_PER_DAY = 2;

type ShownView = Extract<TapView, { counter: number }>;

interface Kiosk {
  name: string;
  running: EnrolledAgent;
  events: Waiter<SyncEvent>;
  screen: Waiter<KioskUiEvent>;
  shown: ShownView[];
}

describe('a screen promises what the cloud decides, across screens and cities', () => {
  let cloud: TestCloud;
  const dirs = [tempDir(), tempDir(), tempDir()];
  const kiosks: Kiosk[] = [];
  let campaignId = 0;

  beforeAll(async () => {
    cloud = await startTestCloud();
    const places = [
      ['Shanghai A', 'Shanghai'],
      ['Shanghai B', 'Shanghai'],
      ['Hangzhou C', 'Hangzhou'],
    ] as const;
    for (const [index, [name, city]] of places.entries()) {
      const events = new Waiter<SyncEvent>();
      const screen = new Waiter<KioskUiEvent>();
      const running = await startEnrolledAgent({
        screenName: name,
        dataDir: dirs[index]?.dir ?? '',
        events,
        screen,
        cloud,
        city,
      });
      kiosks.push({ name, running, events, screen, shown: [] });
    }
    ({ campaignId } = await activeCampaign(cloud.call, {
      city: 'Shanghai',
      cities: ['Shanghai', 'Hangzhou'],
      amountFen: AMOUNT_FEN,
      count: 600,
      couponOffers: [{ title: COUPON_TITLE, valueFen: 300, stock: 300 }],
      rules: {
        cashPerWalletPerDay: CASH_PER_WALLET_PER_DAY,
        couponsPerWalletPerDay: 1,
        fallbackCouponOfferIndex: 0,
      },
    }));
    for (const kiosk of kiosks) {
      const agent = kiosk.running.agent;
      await kiosk.events.until(
        () =>
          agent.engine.trustView?.campaigns.some((campaign) => campaign.campaignId === campaignId) === true &&
          deckLevels(agent.store, Math.floor(Date.now() / 1000)).some(
            (deck) => deck.campaignId === campaignId,
          ),
        `${kiosk.name}: the campaign config and its deck`,
        60_000,
      );
    }
  }, 180_000);

  afterAll(async () => {
    for (const kiosk of kiosks) await stopEnrolledAgent(kiosk.running);
    await cloud.stop();
    for (const dir of dirs) dir.cleanup();
  });

  const at = (index: number): Kiosk => {
    const kiosk = kiosks[index];
    if (kiosk === undefined) throw new Error(`no kiosk ${index}`);
    return kiosk;
  };

  /** One tap of `phone` on kiosk `index`, and what its screen then showed. */
  async function tap(index: number, phone: VirtualPhone): Promise<ShownView> {
    const kiosk = at(index);
    const result = await tapCard(kiosk.running.agent, phone);
    expect(result, kiosk.name).toMatchObject({ outcome: 'completed', committed: true });
    const counter = kiosk.shown.length + 1;
    const event = await kiosk.screen.next(
      (e) => e.channel === 'tap' && 'counter' in e.payload && e.payload.counter === counter,
      `${kiosk.name} to show tap ${counter}`,
      { includeSeen: true },
    );
    if (event.channel !== 'tap' || !('counter' in event.payload)) throw new Error('not a tap view');
    kiosk.shown.push(event.payload);
    return event.payload;
  }

  /** Every tap settled; each firm cash promise credited (the token carries its amount, so exactly it). */
  async function settledAsShown(): Promise<Map<string, { status: string; code: string | null }>> {
    const results = new Map<string, { status: string; code: string | null }>();
    for (const kiosk of kiosks) {
      const store = kiosk.running.agent.store;
      await kiosk.events.until(
        () => kiosk.shown.every((view) => getTap(store, view.counter)?.state === 'settled'),
        `${kiosk.name}: the cloud to settle every tap`,
        60_000,
      );
      for (const view of kiosk.shown) {
        const settled = getTap(store, view.counter);
        results.set(`${kiosk.name}#${view.counter}`, {
          status: settled?.ackStatus ?? 'none',
          code: settled?.ackCode ?? null,
        });
        if (view.state === 'prize' && view.certainty !== 'confirming' && view.amountFen > 0)
          expect(settled, `${kiosk.name} tap ${view.counter}`).toMatchObject({
            ackStatus: 'credited',
            amountFen: view.amountFen,
          });
      }
    }
    return results;
  }

  it('a phone with its day state: the cap reached on another screen and a trip too fast are judged on the screen', async () => {
    const shownBefore = kiosks.map((kiosk) => kiosk.shown.length);
    const wallet = await registerWallet(cloud.call);
    const phone = new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential });

    // Cash on A and on B: the campaign's daily cash cap (2) is reached.
    expect(await tap(0, phone)).toMatchObject({ state: 'prize', amountFen: AMOUNT_FEN, certainty: 'firm' });
    expect(await tap(1, phone)).toMatchObject({ state: 'prize', amountFen: AMOUNT_FEN, certainty: 'firm' });
    // Back on A, which gave only one: the day state tells it the cap is reached. The fallback coupon,
    // then nothing once the coupon cap (1) is reached too.
    expect(await tap(0, phone)).toMatchObject({ state: 'already-grabbed', couponTitle: COUPON_TITLE });
    expect(await tap(1, phone)).toMatchObject({ state: 'already-grabbed', couponTitle: null });

    // A second commuter: cash in Shanghai, then a Hangzhou screen a moment later. No cash is shown there.
    const traveller = await registerWallet(cloud.call);
    const travellerPhone = new VirtualPhone({ keyPair: traveller.keyPair, credential: traveller.credential });
    expect(await tap(0, travellerPhone)).toMatchObject({
      state: 'prize',
      amountFen: AMOUNT_FEN,
      certainty: 'firm',
    });
    const inHangzhou = await tap(2, travellerPhone);
    expect(inHangzhou.state === 'prize' && inHangzhou.amountFen > 0).toBe(false);

    const results = await settledAsShown();
    // Nothing the screens showed was refused: no cap, no travel rejection reached the cloud.
    for (const [tapKey, result] of results) {
      expect(result.code, tapKey).not.toBe(ErrorCode.CAP_CAMPAIGN_WALLET);
      expect(result.code, tapKey).not.toBe(ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL);
    }
    // Each coupon the first commuter was shown (cash envelopes may carry one too) is issued, and no other.
    const shownCoupons = [0, 1]
      .flatMap((index) => at(index).shown.slice(shownBefore[index] ?? 0, (shownBefore[index] ?? 0) + 2))
      .filter((view) => view.couponTitle !== null).length;
    const coupons = await walletCoupons(cloud.call, wallet);
    expect(coupons).toHaveLength(shownCoupons);
    expect(coupons.every((coupon) => coupon.title === COUPON_TITLE)).toBe(true);
  });

  it('a phone from before the day state: cash the kiosk cannot judge is shown as confirming', async () => {
    const wallet = await registerWallet(cloud.call);
    const phone = new VirtualPhone({
      keyPair: wallet.keyPair,
      credential: wallet.credential,
      dayState: false,
    });
    const first = await tap(0, phone);
    expect(first).toMatchObject({ state: 'prize', amountFen: AMOUNT_FEN, certainty: 'confirming' });
    await tap(1, phone);
    // B cannot know of A's and its own cash: a third packet shows, as confirming, and the cloud refuses it.
    const third = await tap(2, phone);
    expect(third).toMatchObject({ state: 'prize', certainty: 'confirming' });
    const results = await settledAsShown();
    const refused = [...results.values()].filter(
      (result) =>
        result.code === ErrorCode.CAP_CAMPAIGN_WALLET || result.code === ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL,
    );
    expect(refused.length).toBeGreaterThan(0);
  });
});
