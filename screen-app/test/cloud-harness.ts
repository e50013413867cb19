// An embedded RedTap cloud for kiosk tests: PGlite in a temp dir, aedes on an ephemeral port (or an
// external broker the test started, such as a private Mosquitto), an operator bootstrapped from the
// environment, and helpers to create screens and enrolment codes over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv, startCloud, type RunningCloud } from '@redtap/cloud';
import { uniqueTopicRoot } from './sync-harness.ts';
import type { FakeAckResponder } from './sync-harness.ts';

export type { RunningCloud };

const OPERATOR = { email: 'ops@example.com', password: 'operator-password' };

export interface TestCloud {
  cloud: RunningCloud;
  topicRoot: string;
  /** One HTTP call; a plain function, so it can be handed around unbound. */
  call: (
    method: string,
    path: string,
    /** Sent as JSON; a Uint8Array is sent as raw bytes (application/octet-stream). */
    body?: unknown,
    /** Bearer token; the operator's session by default ('' for none). */
    token?: string,
  ) => Promise<{ status: number; body: Record<string, unknown> }>;
  /** Creates a screen and returns its id with a fresh one-time code. */
  screenWithCode(name?: string, city?: string): Promise<{ screenId: number; code: string }>;
  /** Plays the cloud's tap ingest with a fake responder on the embedded broker. */
  answerTapsWith(responder: FakeAckResponder): void;
  stop(): Promise<void>;
}

export async function startTestCloud(
  options: {
    /** The topic root; unique by default. An external broker's ACLs must be made for the same one. */
    topicRoot?: string;
    /** An external broker and the cloud's service account on it, instead of the embedded aedes. */
    externalBroker?: { url: string; username: string; password: string };
  } = {},
): Promise<TestCloud> {
  const dataDir = mkdtempSync(join(tmpdir(), 'redtap-kiosk-cloud-'));
  const topicRoot = options.topicRoot ?? uniqueTopicRoot();
  const external = options.externalBroker;
  const cloud = await startCloud(
    loadEnv({
      HOST: '127.0.0.1',
      PORT: '0',
      ...(external === undefined
        ? { MQTT_PORT: '0' }
        : { MQTT_URL: external.url, MQTT_USERNAME: external.username, MQTT_PASSWORD: external.password }),
      REDTAP_DATA_DIR: dataDir,
      REDTAP_TOPIC_ROOT: topicRoot,
      LOG_LEVEL: 'silent',
      REDTAP_OPERATOR_EMAIL: OPERATOR.email,
      REDTAP_OPERATOR_PASSWORD: OPERATOR.password,
    }),
  );
  const session: { token?: string } = {};
  const raw = async (method: string, path: string, body?: unknown, token = session.token) => {
    // Bytes go as they are (a creative upload: the cloud reads its type from them), anything else as JSON.
    const bytes = body instanceof Uint8Array;
    const response = await fetch(`${cloud.httpUrl}${path}`, {
      method,
      headers: {
        ...(token === undefined || token === '' ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined
          ? {}
          : { 'content-type': bytes ? 'application/octet-stream' : 'application/json' }),
      },
      ...(body === undefined ? {} : { body: bytes ? body : JSON.stringify(body) }),
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
    call: raw,
    async screenWithCode(name = 'Lobby', city = 'Shanghai') {
      sequence += 1;
      const screen = await raw('POST', '/v1/screens', {
        name: `${name} ${sequence}`,
        city,
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
