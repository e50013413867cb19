import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { tempDir } from '../../test/fixtures.ts';
import type { KioskAgent, KioskAgentOptions } from '../agent/kiosk-agent.ts';
import { KioskUiHub } from '../host/kiosk-ui-hub.ts';
import { uiActionHandlers } from '../host/ui-actions.ts';
import { ipcChannelOf } from '../ui-api/channels.ts';
import { APP_INDEX_URL, creativeAppUrl, resolveAppRequest } from './app-protocol.ts';
import { CrashGuard } from './crash-guard.ts';
import type { IpcMainInvokeEventLike, IpcMainLike } from './electron-api.ts';
import { registerUiIpc } from './ipc.ts';
import { readShellEnv, startShellKiosk } from './shell-kiosk.ts';
import { isTrustedSenderUrl } from './trusted-sender.ts';
import { kioskWindowOptions } from './window-options.ts';

const sha = 'ef'.repeat(32);

describe('trusted senders', () => {
  it('accepts only the app scheme and host', () => {
    expect(isTrustedSenderUrl(APP_INDEX_URL)).toBe(true);
    expect(isTrustedSenderUrl('redtap-app://screen/assets/index.js')).toBe(true);
    for (const url of [
      'file:///work/main/screen-app/dist/renderer/index.html',
      'http://127.0.0.1:5173/',
      'redtap-app://evil/index.html',
      'redtap-app://user:pass@screen/',
      'https://screen/',
      '',
      null,
      undefined,
      'not a url',
    ])
      expect(isTrustedSenderUrl(url)).toBe(false);
  });
});

describe('app protocol', () => {
  const creativeFile = (s: string) => (s === sha ? { path: `/cache/${s}`, mime: 'video/mp4' } : null);
  it('serves renderer files and cached creatives, nothing else', () => {
    expect(resolveAppRequest(APP_INDEX_URL, '/r', creativeFile)).toEqual({
      kind: 'file',
      path: '/r/index.html',
      mime: null,
    });
    expect(resolveAppRequest('redtap-app://screen/', '/r', creativeFile)).toMatchObject({
      path: '/r/index.html',
    });
    expect(resolveAppRequest('redtap-app://screen/assets/a.js', '/r', creativeFile)).toMatchObject({
      path: '/r/assets/a.js',
    });
    expect(resolveAppRequest(creativeAppUrl(sha), '/r', creativeFile)).toEqual({
      kind: 'file',
      path: `/cache/${sha}`,
      mime: 'video/mp4',
    });
    for (const url of [
      creativeAppUrl('00'.repeat(32)),
      'redtap-app://screen/creatives/..%2F..%2Fetc%2Fpasswd',
      'redtap-app://screen/..%2F..%2Fetc%2Fpasswd',
      'redtap-app://other/index.html',
      'redtap-app://screen/%E0%A4%A',
      'file:///etc/passwd',
    ])
      expect(resolveAppRequest(url, '/r', creativeFile)).toEqual({ kind: 'not-found' });
    // Dot segments are resolved by the URL parser first, so they cannot climb out of the build.
    expect(
      resolveAppRequest('redtap-app://screen/%2e%2e/%2e%2e/etc/passwd', '/r', creativeFile),
    ).toMatchObject({
      path: '/r/etc/passwd',
    });
  });
});

describe('crash guard', () => {
  it('reloads a bounded number of times per window, then exits', () => {
    const guard = new CrashGuard({ reloadsMax: 2, windowMs: 1_000 });
    expect(guard.record(0)).toBe('reload');
    expect(guard.record(10)).toBe('reload');
    expect(guard.record(20)).toBe('exit');
    expect(guard.record(1_001)).toBe('reload');
  });
});

describe('kiosk window', () => {
  it('locks the renderer down', () => {
    const options = kioskWindowOptions('/app/preload.cjs');
    expect(options).toMatchObject({
      fullscreen: true,
      kiosk: true,
      webPreferences: {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        preload: '/app/preload.cjs',
      },
    });
  });
});

describe('UI IPC', () => {
  function fakeIpc() {
    const handlers = new Map<string, (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown>();
    const ipcMain: IpcMainLike = {
      handle: (channel, listener) => handlers.set(channel, listener),
      removeHandler: (channel) => handlers.delete(channel),
    };
    return { ipcMain, handlers };
  }

  it('checks the sender frame and the arguments of every action', async () => {
    const { ipcMain, handlers } = fakeIpc();
    const hub = new KioskUiHub({
      creativeFile: (s) => (s === sha ? { path: '/x', mime: 'image/png' } : null),
    });
    const unregister = registerUiIpc({
      ipcMain,
      handlers: uiActionHandlers(hub, creativeAppUrl),
      logger: pino({ enabled: false }),
    });
    expect([...handlers.keys()].sort()).toEqual(
      (['getCreativeUrl', 'ready', 'reportPlay'] as const).map((channel) => ipcChannelOf(channel)).sort(),
    );
    const call = (channel: string, url: string | null, args: unknown) => {
      const handler = handlers.get(ipcChannelOf(channel as 'ready'));
      if (handler === undefined) throw new Error('no handler');
      return Promise.resolve().then(() => handler({ senderFrame: url === null ? null : { url } }, args));
    };
    await expect(call('getCreativeUrl', APP_INDEX_URL, { creativeSha256: sha })).resolves.toBe(
      creativeAppUrl(sha),
    );
    await expect(call('ready', APP_INDEX_URL, { rendererVersion: '1' })).resolves.toMatchObject({
      locale: 'zh',
    });
    await expect(call('ready', 'https://evil.example/', { rendererVersion: '1' })).rejects.toThrow(
      'untrusted',
    );
    await expect(call('ready', null, { rendererVersion: '1' })).rejects.toThrow('untrusted');
    await expect(call('getCreativeUrl', APP_INDEX_URL, { creativeSha256: '../x' })).rejects.toThrow(
      'bad arguments',
    );
    unregister();
    expect(handlers.size).toBe(0);
    hub.stop();
  });
});

describe('shell kiosk', () => {
  it('reads the kiosk settings and the window mode from the environment', () => {
    const env = readShellEnv({ REDTAP_KIOSK_MODE: '0', REDTAP_READER: 'simulated', REDTAP_LOCALE: 'en' });
    expect(env.kioskMode).toBe(false);
    expect(env.kiosk).toMatchObject({ REDTAP_READER: 'simulated', REDTAP_LOCALE: 'en' });
    expect(readShellEnv({}).kioskMode).toBe(true);
  });

  it('serves the agent it started, or a stand-alone screen saying why it could not', async () => {
    const dir = tempDir();
    try {
      const env = readShellEnv({ REDTAP_KIOSK_DATA_DIR: dir.dir, REDTAP_READER: 'none' });
      const fallback = await startShellKiosk(env, pino({ enabled: false }));
      expect(fallback.agent).toBeNull();
      expect(fallback.problem).toContain('NOT_ENROLLED');
      expect(fallback.kiosk.state()).toMatchObject({ enrolled: false, online: false });
      await fallback.stop();

      const ui = new KioskUiHub();
      let stopped = false;
      const fakeAgent = { ui, stop: () => Promise.resolve(void (stopped = true)) } as unknown as KioskAgent;
      const seen: KioskAgentOptions[] = [];
      const running = await startShellKiosk(env, pino({ enabled: false }), (options) => {
        seen.push(options);
        return Promise.resolve({ ok: true, agent: fakeAgent });
      });
      expect(running.kiosk).toBe(ui);
      expect(seen[0]).toMatchObject({ dataDir: dir.dir, reader: 'none', locale: 'zh' });
      await running.stop();
      expect(stopped).toBe(true);
    } finally {
      dir.cleanup();
    }
  });
});
