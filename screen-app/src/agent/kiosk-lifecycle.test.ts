// What a kiosk must enforce reaches it through the real cloud and its retained config: a credential
// revoked after the kiosk holds its config is refused before any envelope is used, a credential of a
// rotated-in issuer key is accepted, revocations older than the config's window are paged from the cloud
// over HTTP and enforced, and a revoked screen goes out of service and commits nothing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import { VirtualPhone, type ExchangeResult, type VirtualCard } from '@redtap/tap-reader';
import { pino } from 'pino';
import {
  startEnrolledAgent,
  stopEnrolledAgent,
  tapCard,
  type EnrolledAgent,
} from '../../test/agent-harness.ts';
import type { TestCloud } from '../../test/cloud-harness.ts';
import { activeCampaign, registerWallet } from '../../test/cloud-money.ts';
import { tempDir } from '../../test/fixtures.ts';
import { testEnv, Waiter } from '../../test/sync-harness.ts';
import { deckLevels } from '../decks/deck-levels.ts';
import type { KioskUiEvent } from '../host/kiosk-ui-port.ts';
import { loadConfig } from '../store/config-queries.ts';
import { revocationStatus } from '../store/revocation-queries.ts';
import { lastCommittedCounter } from '../store/tap-queries.ts';
import type { SyncEvent } from '../sync/screen-sync.ts';
import { describeRefusal } from './enroll-kiosk.ts';
import { startKioskAgent, type KioskAgent } from './kiosk-agent.ts';

describe('a kiosk follows revocations, issuer keys and its own revocation', () => {
  let cloud: TestCloud;
  let agent: KioskAgent;
  let running: EnrolledAgent | undefined;
  let screenId: number;
  let campaignId: number;
  const dir = tempDir();
  const events = new Waiter<SyncEvent>();
  const screen = new Waiter<KioskUiEvent>();

  beforeAll(async () => {
    running = await startEnrolledAgent({
      screenName: 'Lifecycle',
      dataDir: dir.dir,
      events,
      screen,
      // A refused login is retried quickly, so the test sees the refusal without waiting a minute.
      syncLimits: { reconnectInitialMs: 50, reconnectMaxMs: 200 },
    });
    ({ cloud, agent, screenId } = running);
    ({ campaignId } = await activeCampaign(cloud.call, { city: 'Shanghai', amountFen: 66, count: 20 }));
    await events.until(
      () =>
        agent.engine.trustView?.campaigns.some((campaign) => campaign.campaignId === campaignId) === true &&
        deckLevels(agent.store, Math.floor(Date.now() / 1000)).some((deck) => deck.campaignId === campaignId),
      'the campaign config and its deck',
    );
  }, 60_000);

  afterAll(async () => {
    await stopEnrolledAgent(running);
    dir.cleanup();
  });

  const tap = (card: VirtualCard): Promise<ExchangeResult> => tapCard(agent, card);

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

  it('pages the revocations its config window no longer reaches, then refuses one revoked long ago', async () => {
    // Revoked outside the next config's window: the wallet's credential first, then 1,500 more, numbered
    // set-based as revocations are; then one more through the API, which queues every config.
    const early = await registerWallet(cloud.call);
    const db = cloud.cloud.database.db;
    const expiresAt = Math.floor(Date.now() / 1000) + 30 * 86_400;
    await db.execute(sql`
      with head as (update revocation_head set seq = seq + 1501 where id = 1 returning seq),
      mine as (
        update wallet_credentials set revoked_at = now(), revocation_seq = (select seq - 1500 from head)
        where wallet_id = ${early.walletId} and serial = ${early.credential.credentialSerial})
      insert into wallet_credentials (wallet_id, serial, issuer_key_id, expires_at, revoked_at, revocation_seq)
      select ${early.walletId}, 1000 + n, 0, ${expiresAt}::bigint, now(), head.seq - 1500 + n
      from generate_series(1, 1500) as n, head`);
    const current = events.next(
      (e) => e.type === 'revocations' && e.event.type === 'current',
      'the kiosk current on revocations',
    );
    const last = await registerWallet(cloud.call);
    const revoked = await cloud.call(
      'POST',
      `/v1/wallets/${last.walletId}/credentials/${last.credential.credentialSerial}/revoke`,
    );
    expect(revoked.status).toBe(200);
    await current;
    const config = loadConfig(agent.store);
    expect(config?.revocation.credentials).toBeUndefined();
    expect(revocationStatus(agent.store).version).toBe(config?.revocation.version);
    expect(events.seen.some((e) => e.type === 'revocations' && e.event.type === 'page')).toBe(true);

    const envelopes = remaining();
    const result = await tap(new VirtualPhone({ keyPair: early.keyPair, credential: early.credential }));
    expect(result).toMatchObject({
      outcome: 'refused',
      committed: false,
      code: ErrorCode.CREDENTIAL_REVOKED,
    });
    expect(remaining()).toBe(envelopes);
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
