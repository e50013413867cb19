// A cloud app over a test database and the fake broker, with helpers to sign in as each role.
import pino from 'pino';
import {
  enrolmentMessage,
  generateKeyPair,
  loginMessage,
  SignatureLabel,
  sign,
  toHex,
  type KeyPair,
} from '@redtap/shared';
import { SECRET_SCRYPT } from '../src/auth/passwords.ts';
import { ephemeralSecrets } from '../src/auth/secrets.ts';
import type { DatabaseHandle } from '../src/db/client.ts';
import { loadTestEnv } from '../src/env.ts';
import { createApp } from '../src/http/app.ts';
import type { AppDeps, AppSettings } from '../src/http/context.ts';
import { createMetricsRegistry } from '../src/http/metrics.ts';
import { createOperator } from '../src/services/accounts.ts';
import { createScreenAuthenticator } from '../src/services/screen-auth.ts';
import { wireScreenEvents } from '../src/services/screen-events.ts';
import { FakeBroker } from './fake-broker.ts';
import { defaultMoneySettings } from '../src/money-settings.ts';
import { createMemoryContentStore } from '../src/services/content-store.ts';
import { createRedemptionService } from '../src/redemption/redemption-service.ts';
import { replyCoverage } from './reply-coverage.ts';
import { settleDesiredState } from './desired-state.ts';

const testEnv = loadTestEnv();

export interface TestCloud {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  broker: FakeBroker;
  clock: { nowMs: number };
  /**
   * Runs the dispatchers (broker identities, decks, configs) until what requests queued is true, as the
   * cloud process's dispatchers do after a poke. `request` calls it after every request that poked them,
   * and `broker.deliverEvent` after every screen event that did, unless the cloud was made with
   * `{ settle: false }`.
   */
  settle(): Promise<void>;
  /** `body` goes as JSON, or as the raw bytes of a Blob with the Blob's type as `Content-Type`. */
  request(
    method: string,
    path: string,
    options?: { token?: string | undefined; body?: unknown },
  ): Promise<Response>;
}

export function testSettings(overrides: Partial<AppSettings> = {}): AppSettings {
  return {
    sessionTtlS: 900,
    credentialTtlS: 30 * 86_400,
    timezone: 'Asia/Shanghai',
    topicRoot: 'redtap/test',
    mqttPublicUrl: undefined,
    trustProxy: false,
    passwordScrypt: SECRET_SCRYPT,
    bodyLimitBytes: 64 * 1024,
    loginRateLimit: { limit: 10_000, windowMs: 60_000 },
    enrolRateLimit: { limit: 10_000, windowMs: 60_000 },
    screenLoginRateLimit: { limit: 10_000, windowMs: 60_000 },
    redeemRateLimit: { limit: 10_000, windowMs: 60_000 },
    tillRateLimit: { pointsMax: 100_000, windowMs: 60_000, failureCost: 10 },
    money: defaultMoneySettings,
    ...overrides,
  };
}

export function createTestCloud(
  handle: DatabaseHandle,
  overrides: Partial<AppSettings> = {},
  options: { settle?: boolean } = {},
): TestCloud {
  const broker = new FakeBroker();
  const clock = { nowMs: Date.now() };
  const now = () => new Date(clock.nowMs);
  const settings = testSettings(overrides);
  const logger = pino({ level: testEnv.REDTAP_TEST_LOG });
  const deps: AppDeps = {
    db: handle.db,
    broker,
    logger,
    secrets: ephemeralSecrets(),
    screenAuth: createScreenAuthenticator(handle.db, {
      cacheTtlMs: 30_000,
      cacheSizeMax: 100,
      now: () => clock.nowMs,
    }),
    metrics: createMetricsRegistry({ defaultMetrics: false }),
    now,
    settings,
    content: createMemoryContentStore(),
    redemption: createRedemptionService({ db: handle.db, logger, now, settings: settings.money }),
    // Every 2xx reply of every API test is checked against its route's declared schema.
    replyCheck: replyCoverage,
  };
  wireScreenEvents(deps);
  deps.redemption.attach(broker);
  let poked = false;
  deps.dispatchers = { poke: () => (poked = true) };
  let settling = false;
  const settle = async () => {
    settling = true;
    try {
      await settleDesiredState({ deps, broker });
    } finally {
      settling = false;
    }
  };
  // A screen event that queued desired state (a deck-low's refill) is made true before the test goes on,
  // as after a request; one delivered while the dispatchers run (a kiosk answering the config they
  // publish) is left to the passes in progress, which go on until nothing is due.
  const deliverEvent = broker.deliverEvent.bind(broker);
  broker.deliverEvent = async (message) => {
    await deliverEvent(message);
    if (!poked || settling || options.settle === false) return;
    poked = false;
    await settle();
  };
  const app = createApp(deps);
  return {
    app,
    deps,
    broker,
    clock,
    settle,
    request: async (method, path, requestOptions = {}) => {
      const response = await send(method, path, requestOptions);
      if (!poked || options.settle === false) return response;
      poked = false;
      // Read before settling: a reply left unread while the dispatchers run (seconds on a loaded
      // machine) can lose its body once the reply check's clone of it is collected.
      const body = await response.arrayBuffer();
      await settle();
      const empty = response.status === 204 || response.status === 304;
      return new Response(empty ? null : body, { status: response.status, headers: response.headers });
    },
  };

  async function send(
    method: string,
    path: string,
    options: { token?: string | undefined; body?: unknown },
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    // A Blob goes as the raw body with its own type (an upload); anything else as JSON.
    const blob = options.body instanceof Blob ? options.body : null;
    if (options.body !== undefined) headers['content-type'] = blob?.type ?? 'application/json';
    return app.request(path, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: blob ?? JSON.stringify(options.body) }),
    });
  }
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

let sequence = 0;
export function uniqueEmail(prefix: string): string {
  sequence += 1;
  return `${prefix}-${Date.now().toString(36)}-${sequence}@example.com`;
}

export async function operatorToken(cloud: TestCloud): Promise<string> {
  const email = uniqueEmail('operator');
  await createOperator(cloud.deps.db, { email, password: 'operator-password' }, SECRET_SCRYPT);
  const response = await cloud.request('POST', '/v1/auth/login', {
    body: { email, password: 'operator-password' },
  });
  return (await json<{ token: string }>(response)).token;
}

export async function advertiserSession(
  cloud: Pick<TestCloud, 'request'>,
  operator: string,
): Promise<{ token: string; advertiserId: number }> {
  const email = uniqueEmail('advertiser');
  const created = await cloud.request('POST', '/v1/advertisers', {
    token: operator,
    body: { name: `Brand ${email}`, email, password: 'advertiser-password' },
  });
  const { id } = await json<{ id: number }>(created);
  const login = await cloud.request('POST', '/v1/auth/login', {
    body: { email, password: 'advertiser-password' },
  });
  return { token: (await json<{ token: string }>(login)).token, advertiserId: id };
}

/** The body of POST /v1/enrol for a kiosk key, signed by `signer`: the kiosk itself unless a test forges it. */
export function enrolBody(code: string, kiosk: KeyPair, signer: KeyPair = kiosk) {
  return {
    code,
    publicKey: toHex(kiosk.publicKeyRaw),
    signature: toHex(
      sign(SignatureLabel.enroll, enrolmentMessage(code, kiosk.publicKeyRaw), signer.privateKey),
    ),
  };
}

export async function walletSession(
  cloud: Pick<TestCloud, 'request'>,
): Promise<{ token: string; walletId: number; phone: KeyPair }> {
  const phone = generateKeyPair();
  const registered = await cloud.request('POST', '/v1/wallets', {
    body: { publicKey: toHex(phone.publicKeyRaw) },
  });
  const { walletId } = await json<{ walletId: number }>(registered);
  const login = await cloud.request('POST', `/v1/wallets/${walletId}/login`, {
    body: await signedWalletLogin(cloud, walletId, phone),
  });
  return { token: (await json<{ token: string }>(login)).token, walletId, phone };
}

/** The body of POST /v1/wallets/{id}/login: a fresh login challenge, signed with `phone`'s key. */
export async function signedWalletLogin(
  cloud: Pick<TestCloud, 'request'>,
  walletId: number,
  phone: KeyPair,
): Promise<{ nonce: string; signature: string }> {
  const challenge = await json<{ nonce: string }>(
    await cloud.request('GET', `/v1/wallets/${walletId}/login-challenge`),
  );
  const signature = sign(
    SignatureLabel.login,
    loginMessage(walletId, Buffer.from(challenge.nonce, 'hex')),
    phone.privateKey,
  );
  return { nonce: challenge.nonce, signature: toHex(signature) };
}
