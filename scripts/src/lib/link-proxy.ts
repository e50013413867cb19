// A loopback TCP proxy that fails a link the ways real networks do (after toxiproxy's toxics):
// - `down`: every open connection is dropped and new ones are closed at once (an elevator going offline);
// - `delay`: bytes flow, each chunk held back by a fixed latency, in order;
// - `blackhole`: a half-open link. Connections stay open and accept bytes, but nothing arrives at the
//   other end, and new connections are accepted into the same void. Connections black-holed once stay
//   dead after the link heals, as a real half-open TCP connection does: only keepalives and timeouts
//   of the endpoints can get them out;
// - `reset()`: every open connection is closed with a TCP RST, once.
// The demo and the simulator put one between each kiosk and the broker; the chaos runner also puts them
// between the cloud replicas and the database and broker, since correctness must survive all of this.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** Open connections per proxy; a kiosk holds one, a database pool ten, a reconnect storm a few more. */
export const LINK_PROXY_CONNECTIONS_MAX = 64;

export type LinkFault =
  { kind: 'none' } | { kind: 'down' } | { kind: 'delay'; ms: number } | { kind: 'blackhole' };

export interface LinkProxy {
  readonly port: number;
  readonly url: string;
  /** False while the link is down or black-holed. */
  readonly online: boolean;
  readonly fault: LinkFault;
  /** Connections accepted and forwarded so far. */
  readonly connections: number;
  /** `false` is the fault `down`, `true` heals the link. */
  setOnline(online: boolean): void;
  setFault(fault: LinkFault): void;
  /** Closes every open connection with a TCP reset; the link itself stays as it is. */
  reset(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
  /** Once black-holed, a connection never carries bytes again. */
  dead: boolean;
}

export async function startLinkProxy(options: {
  targetHost: string;
  targetPort: number;
  host?: string;
  port?: number;
  scheme?: string;
}): Promise<LinkProxy> {
  const host = options.host ?? '127.0.0.1';
  const open = new Set<Pair>();
  let fault: LinkFault = { kind: 'none' };
  let connections = 0;

  const drop = (pair: Pair, reset = false) => {
    open.delete(pair);
    for (const socket of [pair.client, pair.upstream]) {
      if (socket === null) continue;
      if (reset && !socket.destroyed) socket.resetAndDestroy();
      else socket.destroy();
    }
  };

  /** Forwards `from` → `to`, applying the link's delay at the time each chunk arrives, in order. */
  const forward = (pair: Pair, from: Socket, to: Socket) => {
    let releaseAt = 0;
    from.on('data', (chunk: Buffer) => {
      if (pair.dead) return;
      const ms = fault.kind === 'delay' ? fault.ms : 0;
      if (ms === 0 && releaseAt <= Date.now()) {
        to.write(chunk);
        return;
      }
      releaseAt = Math.max(releaseAt, Date.now() + ms);
      setTimeout(() => {
        if (!pair.dead && !to.destroyed) to.write(chunk);
      }, releaseAt - Date.now());
    });
  };

  const server: Server = createServer((client) => {
    const pair: Pair = { client, upstream: null, dead: false };
    client.on('error', () => drop(pair));
    if (fault.kind === 'down' || open.size >= LINK_PROXY_CONNECTIONS_MAX) {
      client.destroy();
      return;
    }
    open.add(pair);
    client.on('close', () => drop(pair));
    if (fault.kind === 'blackhole') {
      // Accepted, and then nothing: the peer's SYN was answered by a path that goes nowhere.
      pair.dead = true;
      client.on('data', () => undefined);
      return;
    }
    connections += 1;
    const upstream = connect({ host: options.targetHost, port: options.targetPort });
    pair.upstream = upstream;
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.on('error', () => drop(pair));
    upstream.on('close', () => drop(pair));
    forward(pair, client, upstream);
    forward(pair, upstream, client);
  });
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve(server.address() as AddressInfo));
  });
  const scheme = options.scheme ?? 'mqtt';
  const setFault = (next: LinkFault) => {
    fault = next;
    if (next.kind === 'down') for (const pair of [...open]) drop(pair);
    if (next.kind === 'blackhole') for (const pair of open) pair.dead = true;
  };
  return {
    port: address.port,
    url: `${scheme}://${host}:${address.port}`,
    get online() {
      return fault.kind !== 'down' && fault.kind !== 'blackhole';
    },
    get fault() {
      return fault;
    },
    get connections() {
      return connections;
    },
    setOnline: (online) => setFault(online ? { kind: 'none' } : { kind: 'down' }),
    setFault,
    reset: () => {
      for (const pair of [...open]) drop(pair, true);
    },
    close: () =>
      new Promise<void>((resolve) => {
        fault = { kind: 'down' };
        for (const pair of [...open]) drop(pair);
        server.close(() => resolve());
      }),
  };
}
