// Electron main process: one fullscreen kiosk window with a locked-down renderer, the app protocol,
// the typed UI IPC, a single-instance lock, no display sleep, and bounded reloads after a renderer
// crash, around the kiosk agent (shell-kiosk.ts). Everything with logic lives in plain modules; this file
// only wires Electron to them.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { uiActionHandlers } from '../host/ui-actions.ts';
import {
  APP_CONTENT_SECURITY_POLICY,
  APP_INDEX_URL,
  APP_SCHEME,
  creativeAppUrl,
  resolveAppRequest,
} from './app-protocol.ts';
import { CrashGuard } from './crash-guard.ts';
import type { BrowserWindowLike, ElectronMain } from './electron-api.ts';
import { forwardUiEvents, registerUiIpc } from './ipc.ts';
import { readShellEnv, startShellKiosk, type ShellKiosk } from './shell-kiosk.ts';
import { isTrustedSenderUrl } from './trusted-sender.ts';
import { kioskWindowOptions } from './window-options.ts';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- bundled as CommonJS; electron is external
const electron = require('electron') as ElectronMain;
const { app, BrowserWindow, ipcMain, Menu, net, powerSaveBlocker, protocol } = electron;

const logger = pino({ name: 'kiosk-shell' });
// The bundle sits in dist/electron; the renderer build beside it in dist/renderer.
const rendererDir = join(__dirname, '..', 'renderer');
const preloadPath = join(__dirname, 'preload.cjs');

// Must happen before `ready`: a standard, secure scheme gets a real origin, fetch and media streaming.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

let window: BrowserWindowLike | null = null;
let shellKiosk: ShellKiosk | null = null;
let quitting = false;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (window === null || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => app.quit());
  // Stop taps and sync cleanly before the process goes: the outbox is durable, but pcsclite and SQLite
  // prefer a closed handle to a killed one.
  app.on('before-quit', (event) => {
    const running = shellKiosk;
    if (running === null || quitting) return;
    event.preventDefault();
    quitting = true;
    running.stop().then(
      () => app.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'kiosk did not stop cleanly');
        app.exit(1);
      },
    );
  });
  app
    .whenReady()
    .then(() => start())
    .catch((error: unknown) => {
      logger.fatal({ err: error }, 'kiosk shell failed to start');
      app.exit(1);
    });
}

async function start(): Promise<void> {
  const env = readShellEnv(process.env);
  const running = (shellKiosk = await startShellKiosk(env, logger));
  const kiosk = running.kiosk;
  Menu.setApplicationMenu(null);
  powerSaveBlocker.start('prevent-display-sleep');

  protocol.handle(APP_SCHEME, async (request) => {
    const target = resolveAppRequest(request.url, rendererDir, (sha256) => kiosk.creativeFile(sha256));
    if (target.kind === 'not-found') return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(target.path).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', APP_CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    if (target.mime !== null) headers.set('Content-Type', target.mime);
    return new Response(response.body, { status: response.status, headers });
  });

  registerUiIpc({ ipcMain, handlers: uiActionHandlers(kiosk, creativeAppUrl), logger });

  const crashGuard = new CrashGuard();
  window = new BrowserWindow(kioskWindowOptions(preloadPath, { kiosk: env.kioskMode }));
  const contents = window.webContents;
  const stopForwarding = forwardUiEvents(kiosk, contents);
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedSenderUrl(url)) event.preventDefault();
  });
  contents.on('render-process-gone', (_event, details) => {
    const decision = crashGuard.record(Date.now());
    logger.error({ reason: details.reason, exitCode: details.exitCode, decision }, 'renderer process gone');
    if (decision === 'reload') contents.reload();
    // Past the reload budget the service manager restarts the whole kiosk.
    else app.exit(1);
  });
  window.on('closed', () => {
    stopForwarding();
    window = null;
  });
  window.loadURL(APP_INDEX_URL).catch((error: unknown) => {
    logger.error({ err: error }, 'kiosk page failed to load');
  });
}
