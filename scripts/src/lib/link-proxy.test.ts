import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLinkProxy, type LinkProxy } from './link-proxy.ts';

/** Bounded wait for the proxy's effect; no test asserts how long anything took. */
const WAIT_MS = 5_000;
/** How long a black-holed link is watched for bytes that must not arrive. */
const SILENCE_MS = 300;

function echoServer(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** A client that collects what comes back and how the connection ended. */
function client(port: number) {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  let received = '';
  let ended: 'open' | 'closed' | 'reset' = 'open';
  socket.on('data', (chunk) => (received += chunk.toString('utf8')));
  socket.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ECONNRESET') ended = 'reset';
  });
  socket.on('close', () => {
    if (ended === 'open') ended = 'closed';
  });
  const until = async (done: () => boolean, what: string, timeoutMs = WAIT_MS) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    socket,
    get received() {
      return received;
    },
    get ended() {
      return ended;
    },
    until,
    async echo(text: string): Promise<string> {
      const before = received.length;
      socket.write(text);
      await until(() => received.length >= before + text.length || ended !== 'open', `echo of ${text}`);
      return received.slice(before);
    },
  };
}

describe('link proxy', () => {
  let server: Server;
  let proxy: LinkProxy;
  const clients: ReturnType<typeof client>[] = [];
  const connectClient = () => {
    const made = client(proxy.port);
    clients.push(made);
    return made;
  };
  afterEach(async () => {
    for (const made of clients.splice(0)) made.socket.destroy();
    await proxy.close();
    await new Promise((resolve) => server.close(resolve));
  });
  const start = async () => {
    server = await echoServer();
    proxy = await startLinkProxy({
      targetHost: '127.0.0.1',
      targetPort: (server.address() as AddressInfo).port,
    });
  };

  it('forwards while online, closes connections while down, and forwards again after', async () => {
    await start();
    expect(proxy.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const first = connectClient();
    expect(await first.echo('hello')).toBe('hello');

    proxy.setOnline(false);
    expect(proxy.online).toBe(false);
    await first.until(() => first.ended !== 'open', 'the open connection to drop');
    const refused = connectClient();
    await refused.until(() => refused.ended !== 'open', 'a new connection to be closed');

    proxy.setOnline(true);
    expect(await connectClient().echo('back')).toBe('back');
    expect(proxy.connections).toBe(2);
  });

  it('delays every chunk but keeps them in order', async () => {
    await start();
    proxy.setFault({ kind: 'delay', ms: 20 });
    const delayed = connectClient();
    const parts = Array.from({ length: 20 }, (_, i) => `<${i}>`);
    for (const part of parts) delayed.socket.write(part);
    await delayed.until(() => delayed.received.length >= parts.join('').length, 'every delayed chunk');
    expect(delayed.received).toBe(parts.join(''));
    proxy.setFault({ kind: 'none' });
    expect(await delayed.echo('now')).toBe('now');
  });

  it('black-holes a half-open link: connections stay open, bytes vanish, and stay dead after healing', async () => {
    await start();
    const before = connectClient();
    expect(await before.echo('ping')).toBe('ping');

    proxy.setFault({ kind: 'blackhole' });
    expect(proxy.online).toBe(false);
    const during = connectClient();
    before.socket.write('lost');
    during.socket.write('lost too');
    await new Promise((resolve) => setTimeout(resolve, SILENCE_MS));
    expect(before.received).toBe('ping');
    expect(during.received).toBe('');
    expect(before.ended).toBe('open');
    expect(during.ended).toBe('open');

    proxy.setFault({ kind: 'none' });
    expect(await connectClient().echo('healed')).toBe('healed');
    before.socket.write('still lost');
    await new Promise((resolve) => setTimeout(resolve, SILENCE_MS));
    expect(before.received).toBe('ping');
  });

  it('resets every open connection with a TCP RST and keeps accepting new ones', async () => {
    await start();
    const victim = connectClient();
    expect(await victim.echo('hi')).toBe('hi');
    proxy.reset();
    await victim.until(() => victim.ended !== 'open', 'the reset');
    expect(victim.ended).toBe('reset');
    expect(await connectClient().echo('again')).toBe('again');
  });
});
