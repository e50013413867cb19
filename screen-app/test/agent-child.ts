// Child process for the agent crash test: runs the kiosk agent on a data directory and prints a line
// per sync milestone (connected, backlog after each ack). The parent SIGKILLs it mid-flight.
import { writeSync } from 'node:fs';
import { pino } from 'pino';
import { startKioskAgent, type KioskAgent } from '../src/agent/kiosk-agent.ts';
import { backlogCount } from '../src/store/tap-queries.ts';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: agent-child.ts <data dir>');
const holder: { agent?: KioskAgent } = {};
const started = await startKioskAgent({
  dataDir,
  logger: pino({ enabled: false }),
  // Long enough that nothing is resent by timeout while the parent decides to kill us.
  syncLimits: { ackTimeoutMs: 60_000 },
  onSyncEvent: (event) => {
    if (event.type === 'connected') writeSync(1, 'connected\n');
    if (event.type === 'ack' && holder.agent !== undefined)
      writeSync(1, `backlog ${backlogCount(holder.agent.store)}\n`);
  },
});
if (!started.ok) throw new Error(`${started.code}: ${started.message}`);
holder.agent = started.agent;
process.on('SIGTERM', () => {
  started.agent.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
