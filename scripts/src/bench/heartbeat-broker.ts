// Heartbeat cost on the broker: a private Mosquitto (never the shared one) takes --connections idle
// screen connections (its memory per connection), then heartbeats as kiosks send them (a 500-byte JSON
// event, QoS 1, to `…/screens/{id}/events`) at each --rates aggregate rate for --seconds, while one
// subscriber takes them all as the cloud's ingest does. Reported: the rate delivered and the broker's
// CPU per 1,000 messages/s, from /proc. docs/scaling.md extrapolates these to 10^5 and 10^6 screens.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import mqtt, { type MqttClient } from 'mqtt';
import type { BenchReport, BenchRow } from './report.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';

/** A heartbeat as a kiosk with three decks sends it (shared HeartbeatEvent). */
function heartbeat(counter: number): string {
  const deck = (i: number) => ({
    deckId: 1_234_567 + i,
    campaignId: 4_321 + i,
    remaining: 87,
    count: 120,
    validUntil: 1_795_305_600,
    fallbackCount: 10,
    fallbackRemaining: 8,
  });
  return JSON.stringify({
    type: 'heartbeat',
    ts: 1_795_219_200,
    appVersion: '1.4.2',
    counter,
    backlog: 0,
    decks: [deck(0), deck(1), deck(2)],
    uptimeS: 864_000,
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** utime + stime of a process in seconds, and its resident set in bytes. */
async function usage(pid: number): Promise<{ cpuS: number; rssBytes: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuS: (Number(stat[11]) + Number(stat[12])) / 100, rssBytes: rssKb * 1024 };
}

function connect(url: string, clientId: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { clientId, keepalive: 30, reconnectPeriod: 0, protocolVersion: 4 });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

export async function run(args: string[]): Promise<BenchReport> {
  const program = new Command('heartbeat-broker')
    .option('--connections <n>', 'idle screen connections', '2000')
    .option('--publishers <n>', 'connections the heartbeats are sent over', '100')
    .option('--rates <list>', 'heartbeats per second, one step each', '1000,2000,5000,10000')
    .option('--seconds <n>', 'per step', '10')
    .exitOverride();
  program.parse(args, { from: 'user' });
  const raw = program.opts<{ connections: string; publishers: string; rates: string; seconds: string }>();
  const connections = Number(raw.connections);
  const publishers = Number(raw.publishers);
  const rates = raw.rates.split(',').map(Number);
  const seconds = Number(raw.seconds);

  const dir = await mkdtemp(join(tmpdir(), 'redtap-bench-broker-'));
  const port = await freePort();
  await writeFile(
    join(dir, 'mosquitto.conf'),
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 100\nmax_queued_messages 100000\n`,
  );
  const broker = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  const url = `mqtt://127.0.0.1:${port}`;
  const clients: MqttClient[] = [];
  const rows: BenchRow[] = [];
  const data: Record<string, unknown> = {};
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        clients.push(await connect(url, 'cloud-ingest'));
        break;
      } catch (error) {
        if (attempt > 50) throw error;
        await sleep(100);
      }
    }
    const pid = broker.pid ?? 0;
    const idle = await usage(pid);
    for (let i = 0; i < connections; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, connections - i) }, (_, j) => connect(url, `screen-${i + j + 1}`)),
      );
      clients.push(...batch);
    }
    await sleep(1000);
    const connected = await usage(pid);
    const perConnection = (connected.rssBytes - idle.rssBytes) / connections;
    rows.push({
      metric: `Mosquitto RSS per idle connection (${connections.toLocaleString('en')} connections)`,
      result: `${Math.round(perConnection).toLocaleString('en')} bytes`,
    });
    data.rssPerConnection = perConnection;

    const [subscriber] = clients;
    if (subscriber === undefined) throw new Error('no subscriber');
    let received = 0;
    subscriber.on('message', () => {
      received += 1;
    });
    await subscriber.subscribeAsync('redtap/bench/screens/+/events', { qos: 1 });
    const senders = clients.slice(1, 1 + publishers);
    const payload = heartbeat(123_456);
    for (const rate of rates) {
      received = 0;
      const before = await usage(pid);
      const startMs = performance.now();
      let sent = 0;
      // Paced in 10 ms ticks, spread over the publishing connections.
      while (performance.now() - startMs < seconds * 1000) {
        const due = Math.floor(((performance.now() - startMs) / 1000) * rate);
        for (; sent < due; sent++) {
          const client = senders[sent % senders.length];
          client?.publish(`redtap/bench/screens/${(sent % connections) + 1}/events`, payload, { qos: 1 });
        }
        await sleep(10);
      }
      // Drain: wait until the subscriber stops receiving.
      let last = -1;
      while (received !== last) {
        last = received;
        await sleep(500);
      }
      const elapsedS = (performance.now() - startMs) / 1000;
      const after = await usage(pid);
      const cpuS = after.cpuS - before.cpuS;
      const delivered = received / seconds;
      const cpuPerThousand = (cpuS / elapsedS / Math.max(1, delivered)) * 1000;
      rows.push({
        metric: `heartbeats at ${rate.toLocaleString('en')}/s (${payload.length} B, QoS 1)`,
        result: `${Math.round(delivered).toLocaleString('en')}/s delivered of ${sent.toLocaleString('en')} sent; broker ${((cpuS / elapsedS) * 100).toFixed(0)} % of a core, ${(cpuPerThousand * 100).toFixed(1)} % per 1,000/s`,
      });
      data[`rate-${rate}`] = { sent, received, elapsedS, cpuS, cpuPerThousand };
    }
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
    broker.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
  return { name: 'heartbeat-broker', rows, data };
}
