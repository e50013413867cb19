// A loopback TCP proxy that can cut a link the way an elevator does: offline, every open connection is
// dropped and new ones are closed at once; online, bytes flow to the target again. The demo and the
// simulator put one between each kiosk and the broker, since correctness must survive exactly this.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** Open connections per proxy; a kiosk holds one, a reconnect storm a few more. */
export const LINK_PROXY_CONNECTIONS_MAX = 64;

export interface LinkProxy {
  readonly port: number;
  readonly url: string;
  readonly online: boolean;
  /** Connections accepted and forwarded so far. */
  readonly connections: number;
  setOnline(online: boolean): void;
  close(): Promise<void>;
}

export async function startLinkProxy(options: {
  targetHost: string;
  targetPort: number;
  host?: string;
  port?: number;
  scheme?: string;
}): Promise<LinkProxy> {
  const host = options.host ?? '127.0.0.1';
  const open = new Set<Socket>();
  let online = true;
  let connections = 0;
  const server: Server = createServer((client) => {
    if (!online || open.size >= LINK_PROXY_CONNECTIONS_MAX) {
      client.destroy();
      return;
    }
    connections += 1;
    const upstream = connect({ host: options.targetHost, port: options.targetPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    open.add(client);
    open.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve(server.address() as AddressInfo));
  });
  const scheme = options.scheme ?? 'mqtt';
  return {
    port: address.port,
    url: `${scheme}://${host}:${address.port}`,
    get online() {
      return online;
    },
    get connections() {
      return connections;
    },
    setOnline(next: boolean) {
      online = next;
      if (!next) for (const socket of open) socket.destroy();
      if (!next) open.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        online = false;
        for (const socket of open) socket.destroy();
        open.clear();
        server.close(() => resolve());
      }),
  };
}
