// The whole system on one machine, as `npm start` runs it: the cloud on embedded defaults, a seeded demo
// world, three kiosks in browser host mode (each its own process, behind a link proxy the launcher can
// cut), and the phone simulator page. Also started in-process by the end-to-end tests.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { bootstrapOperator, loadEnv, PortInUseError, startCloud, type RunningCloud } from '@redtap/cloud';
import { PCSC_INSTALL_HINT, pcscSupportInstalled, probePcscd } from '@redtap/tap-reader';
import { startLinkProxy, type LinkProxy } from '../lib/link-proxy.ts';
import { cloudApi } from './cloud-api.ts';
import { startDemoServer, type DemoServer } from './demo-server.ts';
import { startDemoKiosk, type DemoKiosk } from './kiosk-fleet.ts';
import { PhoneBook } from './phones.ts';
import { DEMO_SCREENS, newDemoState, readDemoState, seedDemo, type DemoState } from './seed.ts';

export interface LauncherOptions {
  dataDir: string;
  host: string;
  httpPort: number;
  mqttPort: number;
  /** The first screen's port; the others follow (0 = any free ports). */
  screenPort: number;
  phonePort: number;
  /** Use the PC/SC path for screen 1 when pcscd answers (default true). */
  pcsc: boolean;
  locale: 'zh' | 'en';
  logLevel: string;
  /** The root logger; the launcher and the cloud log through children of it. */
  logger: Logger;
  writeLogLine: (line: string) => void;
}

export interface RunningDemo {
  cloud: RunningCloud;
  state: DemoState;
  kiosks: DemoKiosk[];
  phones: PhoneBook;
  phoneSimulatorUrl: string;
  stop(): Promise<void>;
}

export class LauncherError extends Error {
  override name = 'LauncherError';
}

async function assertPortFree(host: string, port: number, what: string, flag: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new LauncherError(`port ${port} (${what}) is in use; pick another with ${flag}`)
          : error,
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** The operator of an older `.redtap` (created before the demo seed existed) keeps working. */
function initialState(dataDir: string): DemoState {
  const kioskDir = (index: number) => join(dataDir, `kiosk-${index}`);
  const state = newDemoState(kioskDir);
  const legacy = join(dataDir, 'demo-operator.json');
  if (existsSync(legacy)) {
    const operator = JSON.parse(readFileSync(legacy, 'utf8')) as { email?: unknown; password?: unknown };
    if (typeof operator.email === 'string' && typeof operator.password === 'string')
      state.operator = { email: operator.email, password: operator.password };
  }
  return state;
}

export async function startDemo(options: LauncherOptions): Promise<RunningDemo> {
  const logger = options.logger.child({ service: 'launcher' });
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const screenPort = (i: number) => (options.screenPort === 0 ? 0 : options.screenPort + i);
  for (const [i] of DEMO_SCREENS.entries())
    await assertPortFree(options.host, screenPort(i), `screen ${i + 1}`, '--screen-port');
  await assertPortFree(options.host, options.phonePort, 'phone simulator', '--phone-port');

  const env = loadEnv(process.env, {
    HOST: options.host,
    PORT: String(options.httpPort),
    MQTT_HOST: options.host,
    MQTT_PORT: String(options.mqttPort),
    REDTAP_DATA_DIR: join(options.dataDir, 'cloud'),
    LOG_LEVEL: options.logLevel,
  });
  // DATABASE_URL / MQTT_URL in the environment still select PostgreSQL / an external broker.
  let cloud: RunningCloud;
  try {
    cloud = await startCloud(env, options.logger.child({ service: 'cloud' }));
  } catch (error) {
    if (error instanceof PortInUseError)
      throw new LauncherError(`${error.message} (or --port / --mqtt-port)`, { cause: error });
    throw error;
  }
  const kiosks: DemoKiosk[] = [];
  const links: LinkProxy[] = [];
  let server: DemoServer | null = null;
  const stop = async () => {
    await server?.close();
    await Promise.all(kiosks.map((kiosk) => kiosk.stop()));
    await Promise.all(links.map((link) => link.close()));
    await cloud.stop();
  };
  try {
    const stateFile = join(options.dataDir, 'demo.json');
    let state = readDemoState(stateFile) ?? initialState(options.dataDir);
    await bootstrapOperator(cloud.database, state.operator, logger);
    const api = cloudApi(cloud.httpUrl);
    if (!state.complete) logger.info('seeding the demo (first run)');
    state = await seedDemo(api, stateFile, state, (step) => logger.info(step));

    let pcsc = options.pcsc && (await probePcscd());
    if (pcsc && !pcscSupportInstalled()) {
      logger.warn(`pcscd is running, but screen 1 uses the simulated reader: ${PCSC_INSTALL_HINT}`);
      pcsc = false;
    }
    const broker = new URL(cloud.mqttUrl);
    const startKiosk = async (i: number) => {
      const screen = state.screens[i];
      if (screen === undefined) throw new Error(`no demo screen ${i + 1}`);
      const link = await startLinkProxy({
        targetHost: broker.hostname,
        targetPort: Number(broker.port),
        scheme: broker.protocol.replace(':', ''),
      });
      links.push(link);
      kiosks.push(
        await startDemoKiosk(
          {
            index: screen.index,
            dataDir: screen.dataDir,
            reader: i === 0 && pcsc ? 'pcsc' : 'simulated',
            uiHost: options.host,
            uiPort: screenPort(i),
            mqttUrl: link.url,
            cloudUrl: cloud.httpUrl,
            locale: options.locale,
            logLevel: options.logLevel,
          },
          link,
          options.writeLogLine,
        ),
      );
    };
    // The first kiosk builds the screen renderer if this checkout has none; the others then reuse it.
    await startKiosk(0);
    await Promise.all(state.screens.slice(1).map((_, i) => startKiosk(i + 1)));
    kiosks.sort((a, b) => a.index - b.index);

    const phones = new PhoneBook({ api, file: join(options.dataDir, 'phones.json') });
    server = await startDemoServer({
      host: options.host,
      port: options.phonePort,
      phones,
      kiosks: () => kiosks,
      screens: state.screens.map((screen) => ({ index: screen.index, name: screen.name, city: screen.city })),
      cloudUrl: cloud.httpUrl,
    });
    return { cloud, state, kiosks, phones, phoneSimulatorUrl: server.url, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

export function describeDemo(demo: RunningDemo): string {
  const { cloud, state } = demo;
  const lines = [
    '',
    'RedTap is running',
    `  Console          ${cloud.httpUrl}/`,
    `  API reference    ${cloud.httpUrl}/docs   (OpenAPI: ${cloud.httpUrl}/openapi.json)`,
    `  Phone simulator  ${demo.phoneSimulatorUrl}`,
    `  Wallet           ${cloud.httpUrl}/wallet   ("Open wallet" in the phone simulator logs a phone in)`,
    ...demo.kiosks.map(
      (kiosk) =>
        `  Screen ${kiosk.index}         ${kiosk.url ?? '(headless)'}  ${
          state.screens.find((screen) => screen.index === kiosk.index)?.name ?? ''
        } · ${kiosk.reader === 'pcsc' ? 'PC/SC reader via pcscd + vpcd' : 'simulated reader'}`,
    ),
    `  MQTT broker      ${cloud.mqttUrl}`,
    `  Operator         ${state.operator.email} / ${state.operator.password}`,
    `  Advertiser       ${state.advertiser.email} / ${state.advertiser.password}`,
    ...(state.store === undefined
      ? []
      : [`  Till             ${cloud.httpUrl}/till   key ${state.store.tillKey}`]),
    '',
    'Open the phone simulator, tap a screen, and watch the prize there and the cash in the wallet.',
    'Press Ctrl-C to stop. Data stays in .redtap/ (npm start -- --reset starts over).',
    '',
  ];
  return lines.join('\n');
}
