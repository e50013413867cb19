// A whole tap against a real embedded cloud: enrol with a code, run the agent with the simulated reader,
// an advertiser's campaign is funded and activated (the deck and config reach the kiosk), a phone whose
// wallet the cloud registered taps, the tap is committed, shown, sent, settled by the real redemption
// ingest and credited to the wallet; the phone's own copy of the receipt is then a duplicate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '@redtap/shared';
import { VirtualPhone, bankCard, type ExchangeResult, type VirtualCard } from '@redtap/tap-reader';
import {
  startEnrolledAgent,
  stopEnrolledAgent,
  tapCard,
  type EnrolledAgent,
} from '../../test/agent-harness.ts';
import type { TestCloud } from '../../test/cloud-harness.ts';
import { activeCampaign, registerWallet, walletBalanceFen } from '../../test/cloud-money.ts';
import { tempDir } from '../../test/fixtures.ts';
import { Waiter } from '../../test/sync-harness.ts';
import { deckLevels } from '../decks/deck-levels.ts';
import type { KioskUiEvent } from '../host/kiosk-ui-port.ts';
import { getTap } from '../store/tap-queries.ts';
import type { SyncEvent } from '../sync/screen-sync.ts';
import type { KioskAgent } from './kiosk-agent.ts';

const AMOUNT_FEN = 88;

describe('a tap through the agent, settled by the real cloud', () => {
  let cloud: TestCloud;
  let agent: KioskAgent;
  let running: EnrolledAgent | undefined;
  const dir = tempDir();
  const events = new Waiter<SyncEvent>();
  const screen = new Waiter<KioskUiEvent>();

  beforeAll(async () => {
    running = await startEnrolledAgent({ screenName: 'Taps', dataDir: dir.dir, events, screen });
    ({ cloud, agent } = running);
  }, 60_000);

  afterAll(async () => {
    await stopEnrolledAgent(running);
    dir.cleanup();
  });

  const tap = (card: VirtualCard): Promise<ExchangeResult> => tapCard(agent, card);

  it('reports online to the screen and refuses taps before any campaign', async () => {
    await screen.until(() => agent.ui.state().online, 'the screen to show online');
    expect(agent.ui.state()).toMatchObject({
      online: true,
      enrolled: true,
      screenId: agent.identity.screenId,
    });
    const wallet = await registerWallet(cloud.call);
    const phone = new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential });
    const result = await tap(phone);
    expect(result).toMatchObject({ outcome: 'refused', committed: false });
    expect(['NOT_CONFIGURED', 'NO_ACTIVE_CAMPAIGN']).toContain(result.code);
    await screen.next(
      (e) => e.channel === 'tap' && e.payload.state === 'unavailable',
      'the screen to say it is unavailable',
      { includeSeen: true },
    );
  });

  it('commits, shows, settles and credits a tap exactly once', async () => {
    const { campaignId } = await activeCampaign(cloud.call, {
      city: 'Shanghai',
      amountFen: AMOUNT_FEN,
      count: 20,
    });
    await events.until(
      () =>
        agent.engine.trustView?.campaigns.some((campaign) => campaign.campaignId === campaignId) === true &&
        deckLevels(agent.store, Math.floor(Date.now() / 1000)).some((deck) => deck.campaignId === campaignId),
      'the campaign config and its deck',
    );

    const wallet = await registerWallet(cloud.call);
    const phone = new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential });
    const result = await tap(phone);
    expect(result).toMatchObject({ outcome: 'completed', committed: true, walletId: wallet.walletId });
    expect(phone.receipts).toHaveLength(1);

    const prize = await screen.next(
      (e) => e.channel === 'tap' && e.payload.state === 'prize',
      'the prize on the screen',
      { includeSeen: true },
    );
    expect(prize.payload).toMatchObject({ state: 'prize', amountFen: AMOUNT_FEN, counter: 1 });

    await events.until(
      () => getTap(agent.store, 1)?.state === 'settled',
      'the cloud to settle the tap',
      30_000,
    );
    expect(getTap(agent.store, 1)).toMatchObject({
      state: 'settled',
      ackStatus: 'credited',
      walletId: wallet.walletId,
    });
    expect(await walletBalanceFen(cloud.call, wallet)).toBe(AMOUNT_FEN);

    // The phone's own copy of the receipt (the second route) is the same tap: a duplicate, paid once.
    const receipt = phone.receipts[0];
    if (receipt === undefined) throw new Error('no receipt on the phone');
    const redeemed = await cloud.call('POST', '/v1/redeem', { token: toHex(receipt.token) }, '');
    expect(redeemed).toMatchObject({ status: 200, body: { status: 'duplicate', counter: 1 } });
    expect(await walletBalanceFen(cloud.call, wallet)).toBe(AMOUNT_FEN);
  });

  it('records nothing for a bank card, and the next phone takes the next counter', async () => {
    const bank = await tap(bankCard());
    expect(bank).toMatchObject({ outcome: 'ignored', committed: false });
    const wallet = await registerWallet(cloud.call);
    const result = await tap(new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential }));
    expect(result.committed).toBe(true);
    await events.until(() => getTap(agent.store, 2)?.state === 'settled', 'the second tap to settle', 30_000);
    expect(getTap(agent.store, 2)).toMatchObject({ ackStatus: 'credited', amountFen: AMOUNT_FEN });
    expect(await walletBalanceFen(cloud.call, wallet)).toBe(AMOUNT_FEN);
  });
});
