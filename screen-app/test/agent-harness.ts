// A real kiosk agent (engine, sync, simulated reader) enrolled with a code on a real embedded cloud, as
// the agent integration tests run it; and one tap of a virtual card through its simulated reader.
import type { ExchangeResult, VirtualCard } from '@redtap/tap-reader';
import { pino } from 'pino';
import { describeRefusal, enrollKiosk } from '../src/agent/enroll-kiosk.ts';
import { startKioskAgent, type KioskAgent, type KioskAgentOptions } from '../src/agent/kiosk-agent.ts';
import type { KioskUiEvent } from '../src/host/kiosk-ui-port.ts';
import type { SyncEvent } from '../src/sync/screen-sync.ts';
import { startTestCloud, type TestCloud } from './cloud-harness.ts';
import { testEnv, type Waiter } from './sync-harness.ts';

export interface EnrolledAgent {
  cloud: TestCloud;
  agent: KioskAgent;
  screenId: number;
  /** False when the agent joined a cloud the caller started: stopping the agent leaves it running. */
  ownsCloud: boolean;
}

/**
 * Starts a cloud, creates a screen named `screenName`, enrols a kiosk in `dataDir` with its code and
 * starts the agent on the simulated reader, feeding `events` and `screen`; resolves once it is connected.
 */
export async function startEnrolledAgent(options: {
  screenName: string;
  dataDir: string;
  events: Waiter<SyncEvent>;
  screen: Waiter<KioskUiEvent>;
  syncLimits?: KioskAgentOptions['syncLimits'];
  /** A cloud already running, for several kiosks on one network; by default each gets its own. */
  cloud?: TestCloud;
  city?: string;
  /** More agent options (another reader, its seams, ticket limits); they win over the defaults above. */
  agentOptions?: Partial<KioskAgentOptions>;
}): Promise<EnrolledAgent> {
  const cloud = options.cloud ?? (await startTestCloud());
  const { screenId, code } = await cloud.screenWithCode(options.screenName, options.city);
  const enrolled = await enrollKiosk({ dataDir: options.dataDir, cloudUrl: cloud.cloud.httpUrl, code });
  if (!enrolled.ok) throw new Error(describeRefusal(enrolled));
  const started = await startKioskAgent({
    dataDir: options.dataDir,
    reader: 'simulated',
    logger: pino({ level: testEnv.REDTAP_TEST_LOG }),
    onSyncEvent: options.events.push,
    ...(options.syncLimits === undefined ? {} : { syncLimits: options.syncLimits }),
    ...options.agentOptions,
  });
  if (!started.ok) throw new Error(describeRefusal(started));
  const agent = started.agent;
  agent.ui.subscribe(options.screen.push);
  await options.events.next((e) => e.type === 'connected', 'the broker connection', { includeSeen: true });
  return { cloud, agent, screenId, ownsCloud: options.cloud === undefined };
}

export async function stopEnrolledAgent(running: EnrolledAgent | undefined): Promise<void> {
  await running?.agent.stop();
  if (running?.ownsCloud === true) await running.cloud.stop();
}

/** Presents `card` to the agent's simulated reader for one exchange, then takes it away. */
export async function tapCard(agent: KioskAgent, card: VirtualCard): Promise<ExchangeResult> {
  const simulator = agent.simulator;
  if (simulator === null) throw new Error('the agent runs no simulated reader');
  try {
    return await simulator.present(card);
  } finally {
    simulator.remove();
  }
}
