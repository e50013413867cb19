// What a kiosk must enforce reaches it through the real cloud and its retained config: a credential
// revoked after the kiosk holds its config is refused before any envelope is used, a credential of a
// rotated-in issuer key is accepted, and a revoked screen goes out of service and commits nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import { VirtualPhone, type ExchangeResult, type VirtualCard } from '@redtap/tap-reader';
import { pino } from 'pino';
import { startTestCloud, type TestCloud } from '../../test/cloud-harness.ts';
import { activeCampaign, registerWallet } from '../../test/cloud-money.ts';
import { tempDir } from '../../test/fixtures.ts';
import { testEnv, Waiter } from '../../test/sync-harness.ts';
import { deckLevels } from '../decks/deck-levels.ts';
import type { KioskUiEvent } from '../host/kiosk-ui-port.ts';
import { loadConfig } from '../store/config-queries.ts';
import { lastCommittedCounter } from '../store/tap-queries.ts';
import type { SyncEvent } from '../sync/screen-sync.ts';
import { describeRefusal, enrollKiosk } from './enroll-kiosk.ts';
import { startKioskAgent, type KioskAgent } from './kiosk-agent.ts';

describe('a kiosk follows revocations, issuer keys and its own revocation', () => {
  let cloud: TestCloud;
  let agent: KioskAgent;
  let screenId: number;
  let campaignId: number;
  const dir = tempDir();
  const events = new Waiter<SyncEvent>();
  const screen = new Waiter<KioskUiEvent>();

  beforeAll(async () => {
    cloud = await startTestCloud();
    const created = await cloud.screenWithCode('Lifecycle');
    screenId = created.screenId;
    const enrolled = await enrollKiosk({
      dataDir: dir.dir,
      cloudUrl: cloud.cloud.httpUrl,
      code: created.code,
    });
    if (!enrolled.ok) throw new Error(describeRefusal(enrolled));
    const started = await startKioskAgent({
      dataDir: dir.dir,
      reader: 'simulated',
      logger: pino({ level: testEnv.REDTAP_TEST_LOG }),
      onSyncEvent: events.push,
      // A refused login is retried quickly, so the test sees the refusal without waiting a minute.
      syncLimits: { reconnectInitialMs: 50, reconnectMaxMs: 200 },
    });
    if (!started.ok) throw new Error(describeRefusal(started));
    agent = started.agent;
    agent.ui.subscribe(screen.push);
    await events.next((e) => e.type === 'connected', 'the broker connection', { includeSeen: true });
    ({ campaignId } = await activeCampaign(cloud.call, { city: 'Shanghai', amountFen: 66, count: 20 }));
    await events.until(
      () =>
        agent.engine.trustView?.campaigns.some((campaign) => campaign.campaignId === campaignId) === true &&
        deckLevels(agent.store, Math.floor(Date.now() / 1000)).some((deck) => deck.campaignId === campaignId),
      'the campaign config and its deck',
    );
  }, 60_000);

  afterAll(async () => {
    await agent.stop();
    await cloud.stop();
    dir.cleanup();
  });

  async function tap(card: VirtualCard): Promise<ExchangeResult> {
    const simulator = agent.simulator;
    if (simulator === null) throw new Error('the agent runs no simulated reader');
    try {
      return await simulator.present(card);
    } finally {
      simulator.remove();
    }
  }

  const remaining = () =>
    deckLevels(agent.store, Math.floor(Date.now() / 1000))
      .filter((deck) => deck.campaignId === campaignId)
      .reduce((sum, deck) => sum + deck.remaining, 0);

  it('refuses a credential revoked after the kiosk holds its config, using no envelope', async () => {
    const wallet = await registerWallet(cloud.call);
    const before = loadConfig(agent.store)?.version ?? 0;
    const applied = events.next((e) => e.type === 'config', 'the config after the revocation');
    const revoked = await cloud.call(
      'POST',
      `/v1/wallets/${wallet.walletId}/credentials/${wallet.credential.credentialSerial}/revoke`,
    );
    expect(revoked.status).toBe(200);
    expect(await applied).toMatchObject({ type: 'config', outcome: 'stored' });
    expect(loadConfig(agent.store)?.version).toBeGreaterThan(before);

    const envelopes = remaining();
    const counter = lastCommittedCounter(agent.store);
    const result = await tap(new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential }));
    expect(result).toMatchObject({
      outcome: 'refused',
      committed: false,
      code: ErrorCode.CREDENTIAL_REVOKED,
    });
    expect(remaining()).toBe(envelopes);
    expect(lastCommittedCounter(agent.store)).toBe(counter);
  });

  it('accepts a credential signed by a rotated-in issuer key', async () => {
    const applied = events.next((e) => e.type === 'config', 'the config after the rotation');
    const rotated = await cloud.call('POST', '/v1/issuer-keys/rotate');
    expect(rotated.status).toBe(200);
    expect(await applied).toMatchObject({ type: 'config', outcome: 'stored' });
    const wallet = await registerWallet(cloud.call);
    const result = await tap(new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential }));
    expect(result).toMatchObject({ outcome: 'completed', committed: true, walletId: wallet.walletId });
  });

  it('goes out of service when revoked and commits nothing', async () => {
    const revoked = await cloud.call('POST', `/v1/screens/${screenId}/revoke`);
    expect(revoked.status).toBe(200);
    await screen.until(() => agent.ui.state().outOfService === true, 'the screen to show out of service');
    expect(agent.ui.state()).toMatchObject({ online: false, outOfService: true });

    const envelopes = remaining();
    const counter = lastCommittedCounter(agent.store);
    const wallet = await registerWallet(cloud.call);
    const result = await tap(new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential }));
    expect(result).toMatchObject({ outcome: 'refused', committed: false, code: ErrorCode.SCREEN_REVOKED });
    expect(remaining()).toBe(envelopes);
    expect(lastCommittedCounter(agent.store)).toBe(counter);
    expect(loadConfig(agent.store)).toBeNull();
  });

  it('still commits nothing after a restart without the broker', async () => {
    await agent.stop();
    const restarted = await startKioskAgent({
      dataDir: dir.dir,
      reader: 'simulated',
      logger: pino({ level: testEnv.REDTAP_TEST_LOG }),
      // Nothing listens here: the kiosk is offline and cannot be told again that it is revoked.
      mqttUrl: 'mqtt://127.0.0.1:1',
    });
    if (!restarted.ok) throw new Error(describeRefusal(restarted));
    agent = restarted.agent;
    const counter = lastCommittedCounter(agent.store);
    const wallet = await registerWallet(cloud.call);
    const result = await tap(new VirtualPhone({ keyPair: wallet.keyPair, credential: wallet.credential }));
    expect(result).toMatchObject({ outcome: 'refused', committed: false });
    expect(lastCommittedCounter(agent.store)).toBe(counter);
  });

  it('learns it is revoked from its refused broker login after a restart', async () => {
    await agent.stop();
    const restartEvents = new Waiter<SyncEvent>();
    const restarted = await startKioskAgent({
      dataDir: dir.dir,
      reader: 'simulated',
      logger: pino({ level: testEnv.REDTAP_TEST_LOG }),
      onSyncEvent: restartEvents.push,
    });
    if (!restarted.ok) throw new Error(describeRefusal(restarted));
    agent = restarted.agent;
    await restartEvents.next(
      (e) => e.type === 'out-of-service' && e.reason === 'login-refused',
      'the refused login',
      { includeSeen: true },
    );
    expect(agent.ui.state()).toMatchObject({ online: false, outOfService: true });
  });
});
