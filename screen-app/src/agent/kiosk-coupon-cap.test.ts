// What the screen shows must be what the cloud gives. A commuter taps again and again past the cash
// cap: the real agent (engine, sync, simulated reader) shows the campaign's fallback coupon only while
// the campaign's coupon cap, published in the real cloud's config, allows it; the real redemption ingest
// then issues every coupon the screen showed and refuses none with CAP_CAMPAIGN_WALLET.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import { VirtualPhone, type ExchangeResult, type VirtualCard } from '@redtap/tap-reader';
import {
  startEnrolledAgent,
  stopEnrolledAgent,
  tapCard,
  type EnrolledAgent,
} from '../../test/agent-harness.ts';
import type { TestCloud } from '../../test/cloud-harness.ts';
import { activeCampaign, registerWallet, walletCoupons } from '../../test/cloud-money.ts';
import { tempDir } from '../../test/fixtures.ts';
import { Waiter } from '../../test/sync-harness.ts';
import { deckLevels } from '../decks/deck-levels.ts';
import type { KioskUiEvent } from '../host/kiosk-ui-port.ts';
import { getTap } from '../store/tap-queries.ts';
import type { SyncEvent } from '../sync/screen-sync.ts';
import type { TapView } from '../ui-api/channels.ts';
import type { KioskAgent } from './kiosk-agent.ts';

const AMOUNT_FEN = 88;
const COUPON_TITLE = '¥5 off tea';
const COUPONS_PER_WALLET_PER_DAY = 2;
const TAPS = 6;

type ShownView = Extract<TapView, { counter: number }>;

describe('the coupon cap on the kiosk agrees with the real cloud', () => {
  let cloud: TestCloud;
  let agent: KioskAgent;
  let running: EnrolledAgent | undefined;
  const dir = tempDir();
  const events = new Waiter<SyncEvent>();
  const screen = new Waiter<KioskUiEvent>();

  beforeAll(async () => {
    running = await startEnrolledAgent({ screenName: 'Coupons', dataDir: dir.dir, events, screen });
    ({ cloud, agent } = running);
  }, 60_000);

  afterAll(async () => {
    await stopEnrolledAgent(running);
    dir.cleanup();
  });

  const tap = (card: VirtualCard): Promise<ExchangeResult> => tapCard(agent, card);

  it('shows a coupon only while the cloud will issue it, and the cloud issues each one shown', async () => {
    // Coupons ride half the cash envelopes; the kiosk's deck takes some, the pool keeps plenty for
    // the fallback coupons. One cash packet and two coupons per wallet per day.
    const { campaignId, couponOfferIds } = await activeCampaign(cloud.call, {
      city: 'Shanghai',
      amountFen: AMOUNT_FEN,
      count: 400,
      couponOffers: [{ title: COUPON_TITLE, valueFen: 500, stock: 200 }],
      rules: {
        cashPerWalletPerDay: 1,
        couponsPerWalletPerDay: COUPONS_PER_WALLET_PER_DAY,
        fallbackCouponOfferIndex: 0,
      },
    });
    const fallbackOfferId = couponOfferIds[0];
    await events.until(
      () =>
        agent.engine.trustView?.campaigns.some((campaign) => campaign.campaignId === campaignId) === true &&
        deckLevels(agent.store, Math.floor(Date.now() / 1000)).some((deck) => deck.campaignId === campaignId),
      'the campaign config and its deck',
    );
    // The cloud published its coupon cap, and the kiosk holds it.
    expect(agent.engine.trustView?.campaignById.get(campaignId)).toMatchObject({
      cashPerWalletPerDay: 1,
      couponsPerWalletPerDay: COUPONS_PER_WALLET_PER_DAY,
      fallbackCouponOfferId: fallbackOfferId,
    });

    const wallet = await registerWallet(cloud.call);
    const phone = new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential });
    const views: ShownView[] = [];
    for (let i = 1; i <= TAPS; i++) {
      const result = await tap(phone);
      expect(result).toMatchObject({ outcome: 'completed', committed: true });
      const shown = await screen.next(
        (e) => e.channel === 'tap' && 'counter' in e.payload && e.payload.counter === i,
        `the screen to show tap ${i}`,
        { includeSeen: true },
      );
      if (shown.channel !== 'tap' || !('counter' in shown.payload)) throw new Error('not a tap view');
      views.push(shown.payload);
    }

    // The first tap is the cash packet (its envelope may carry a coupon too); then the fallback coupon
    // twice; then "already grabbed" without a coupon.
    expect(views[0]).toMatchObject({ state: 'prize', amountFen: AMOUNT_FEN });
    expect(views.slice(1).map((view) => [view.state, view.couponTitle])).toEqual([
      ['already-grabbed', COUPON_TITLE],
      ['already-grabbed', COUPON_TITLE],
      ...Array.from({ length: TAPS - 1 - COUPONS_PER_WALLET_PER_DAY }, () => ['already-grabbed', null]),
    ]);

    await events.until(
      () => views.every((view) => getTap(agent.store, view.counter)?.state === 'settled'),
      'the cloud to settle every tap',
      30_000,
    );
    for (const view of views) {
      const settled = getTap(agent.store, view.counter);
      expect(settled?.ackCode ?? null, `tap ${view.counter}`).not.toBe(ErrorCode.CAP_CAMPAIGN_WALLET);
      expect(settled, `tap ${view.counter}`).toMatchObject({ ackStatus: 'credited' });
    }
    // Every coupon the screen showed is one the cloud issued to the wallet, and no other.
    const shownCoupons = views.filter((view) => view.couponTitle !== null).length;
    const issued = await walletCoupons(cloud.call, wallet);
    expect(issued).toHaveLength(shownCoupons);
    expect(issued.every((coupon) => coupon.title === COUPON_TITLE && coupon.status === 'issued')).toBe(true);
  });
});
