// An embedded RedTap cloud for kiosk tests: PGlite in a temp dir, aedes on an ephemeral port, an
// operator bootstrapped from the environment, and helpers to create screens and enrolment codes over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ack } from '@redtap/shared';
import { uniqueTopicRoot } from './sync-harness.ts';
import type { FakeAckResponder } from './sync-harness.ts';

/**
 * The part of `@redtap/cloud` these tests use. The package is loaded through a computed specifier so this
 * package's typecheck does not compile the cloud's sources (another package, with its own typecheck).
 */
export interface RunningCloud {
  httpUrl: string;
  mqttUrl: string;
  deps: {
    /** Present once the cloud's redemption ingest is wired into startCloud. */
    redemption?: unknown;
    broker: {
      onTapBatch(handler: (message: { screenId: number; payload: Uint8Array }) => Promise<void>): void;
      publishAck(screenId: number, ack: Ack): Promise<void>;
    };
  };
  stop(): Promise<void>;
}

interface CloudModule {
  loadEnv: (source: Record<string, string>) => unknown;
  startCloud: (env: unknown) => Promise<RunningCloud>;
}

const CLOUD_PACKAGE = '@redtap/cloud';

export async function loadCloudModule(): Promise<CloudModule> {
  return (await import(CLOUD_PACKAGE)) as CloudModule;
}

const OPERATOR = { email: 'ops@example.com', password: 'operator-password' };

export interface TestCloud {
  cloud: RunningCloud;
  topicRoot: string;
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Creates a screen and returns its id with a fresh one-time code. */
  screenWithCode(name?: string): Promise<{ screenId: number; code: string }>;
  /** Whether this cloud answers tap batches itself (the real redemption ingest). */
  hasIngest: boolean;
  /** Plays the cloud's tap ingest with a fake responder on the embedded broker. */
  answerTapsWith(responder: FakeAckResponder): void;
  stop(): Promise<void>;
}

export async function startTestCloud(): Promise<TestCloud> {
  const dataDir = mkdtempSync(join(tmpdir(), 'redtap-kiosk-cloud-'));
  const topicRoot = uniqueTopicRoot();
  const { loadEnv, startCloud } = await loadCloudModule();
  const cloud = await startCloud(
    loadEnv({
      HOST: '127.0.0.1',
      PORT: '0',
      MQTT_PORT: '0',
      REDTAP_DATA_DIR: dataDir,
      REDTAP_TOPIC_ROOT: topicRoot,
      LOG_LEVEL: 'silent',
      REDTAP_OPERATOR_EMAIL: OPERATOR.email,
      REDTAP_OPERATOR_PASSWORD: OPERATOR.password,
    }),
  );
  const session: { token?: string } = {};
  const raw = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${cloud.httpUrl}${path}`, {
      method,
      headers: {
        ...(session.token === undefined ? {} : { authorization: `Bearer ${session.token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const login = await raw('POST', '/v1/auth/login', OPERATOR);
  if (login.status !== 200) throw new Error(`operator login failed: ${JSON.stringify(login.body)}`);
  session.token = String(login.body.token);
  let sequence = 0;
  return {
    cloud,
    topicRoot,
    hasIngest: cloud.deps.redemption !== undefined,
    call: raw,
    async screenWithCode(name = 'Lobby') {
      sequence += 1;
      const screen = await raw('POST', '/v1/screens', {
        name: `${name} ${sequence}`,
        city: 'Shanghai',
        building: 'T1',
        elevator: `E${sequence}`,
      });
      const screenId = Number(screen.body.id);
      const code = await raw('POST', `/v1/screens/${screenId}/enrolment-codes`);
      return { screenId, code: String(code.body.code) };
    },
    answerTapsWith(responder) {
      cloud.deps.broker.onTapBatch(async ({ screenId, payload }) => {
        const ack = responder.answer(payload);
        if (ack !== null) await cloud.deps.broker.publishAck(screenId, ack);
      });
    },
    async stop() {
      await cloud.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
