import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLinkProxy, type LinkProxy } from './link-proxy.ts';

function echoServer(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.pipe(socket));
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => reject(new Error('no echo')), 5_000);
    socket.once('data', (chunk) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(chunk.toString('utf8'));
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('');
    });
    socket.once('error', () => undefined);
    socket.write(text);
  });
}

describe('link proxy', () => {
  let server: Server;
  let proxy: LinkProxy;
  afterEach(async () => {
    await proxy.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('forwards while online, closes connections while offline, and forwards again after', async () => {
    server = await echoServer();
    proxy = await startLinkProxy({
      targetHost: '127.0.0.1',
      targetPort: (server.address() as AddressInfo).port,
    });
    expect(proxy.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(await roundTrip(proxy.port, 'hello')).toBe('hello');

    proxy.setOnline(false);
    expect(proxy.online).toBe(false);
    expect(await roundTrip(proxy.port, 'lost')).toBe('');

    proxy.setOnline(true);
    expect(await roundTrip(proxy.port, 'back')).toBe('back');
    expect(proxy.connections).toBe(2);
  });
});
