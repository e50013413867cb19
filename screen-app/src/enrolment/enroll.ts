// Enrolment (docs/protocol.md §3.7): the kiosk makes its own P-256 key, proves it holds it by signing
// the one-time code, and receives its screenId, MQTT credentials and pinned issuer keys.
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  enrolmentMessage,
  ErrorCode,
  fromHex,
  generateKeyPair,
  isEnrolmentCode,
  sign,
  SignatureLabel,
  toHex,
  type ErrorCode as ErrorCodeType,
} from '@redtap/shared';
import { z } from 'zod';
import { KioskCode, refuse, type Refusal } from '../codes.ts';
import { loadIdentity, saveIdentity, type ScreenIdentity } from '../store/identity-queries.ts';
import type { Store } from '../store/open-store.ts';
import { SCREEN_KEY_FILE, writeScreenKey } from './screen-key.ts';

export interface EnrollOptions {
  cloudUrl: string;
  code: string;
  dataDir: string;
  store: Store;
  fetch?: typeof fetch;
  now?: () => number;
  requestTimeoutMs?: number;
  /** Replace an existing identity (a re-provisioned screen); its old key file is kept aside. */
  force?: boolean;
}

const REPLY_BYTES_MAX = 64 * 1024;
/**
 * The MQTT password: a secret on Mosquitto, a bearer user JWT on the NATS engine (the screen's ACL
 * signed by the account: 1-3 KiB).
 */
const MQTT_PASSWORD_CHARS_MAX = 16 * 1024;
const hexKey = z.string().regex(/^04[0-9a-f]{128}$/i);

const EnrolReply = z.object({
  screenId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  mqtt: z.object({
    url: z.string().min(1).max(2048),
    username: z.string().min(1).max(256),
    password: z.string().max(MQTT_PASSWORD_CHARS_MAX),
    topicRoot: z.string().min(1).max(256),
  }),
  issuerKeys: z
    .array(z.object({ keyId: z.number().int().min(0).max(255), publicKey: hexKey }))
    .min(1)
    .max(16),
});

const ErrorReply = z.object({ error: z.object({ code: z.string().max(64), message: z.string().max(1024) }) });

const CLOUD_CODES = new Set<string>([
  ErrorCode.ENROLMENT_CODE_INVALID,
  ErrorCode.ENROLMENT_CODE_EXPIRED,
  ErrorCode.ENROLMENT_CODE_USED,
  ErrorCode.ENROLMENT_SIGNATURE_INVALID,
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.RATE_LIMITED,
]);

export type EnrollResult = { ok: true; identity: ScreenIdentity } | Refusal;

/**
 * The key is written (fsynced, 0600) before the request, under a temporary name, and renamed into
 * place only once the cloud accepted it: the code is single-use, so a key the cloud knows is never lost,
 * and a refused attempt leaves no key behind.
 */
export async function enroll(options: EnrollOptions): Promise<EnrollResult> {
  const code = options.code.trim().toUpperCase();
  if (!isEnrolmentCode(code))
    return refuse(ErrorCode.ENROLMENT_CODE_INVALID, 'not an 8-character enrolment code');
  if (loadIdentity(options.store) !== null && options.force !== true)
    return refuse(KioskCode.ALREADY_ENROLLED, 'this kiosk is already enrolled');
  const fetchFn = options.fetch ?? fetch;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  const key = generateKeyPair();
  const keyPath = join(options.dataDir, SCREEN_KEY_FILE);
  const pendingPath = `${keyPath}.pending-${process.pid}`;
  writeScreenKey(pendingPath, key);
  const signature = sign(SignatureLabel.enroll, enrolmentMessage(code, key.publicKeyRaw), key.privateKey);

  const reply = await postEnrolment(fetchFn, options, {
    code,
    publicKey: toHex(key.publicKeyRaw),
    signature: toHex(signature),
  });
  if (!reply.ok) {
    rmSync(pendingPath, { force: true });
    return reply;
  }
  const issuerKeys = reply.value.issuerKeys.map((issuer) => ({
    keyId: issuer.keyId,
    publicKey: fromHex(issuer.publicKey) ?? new Uint8Array(0),
  }));
  const identity: ScreenIdentity = {
    screenId: reply.value.screenId,
    keyPath,
    publicKey: key.publicKeyRaw,
    mqtt: reply.value.mqtt,
    issuerKeys,
    enrolledAt: now(),
  };
  // A forced re-enrolment keeps the previous key aside rather than destroying it.
  if (options.force === true) {
    try {
      renameSync(keyPath, `${keyPath}.replaced-${now()}`);
    } catch {
      // No previous key file.
    }
  }
  renameSync(pendingPath, keyPath);
  saveIdentity(options.store, identity);
  return { ok: true, identity };
}

type Reply = { ok: true; value: z.infer<typeof EnrolReply> } | Refusal;

async function postEnrolment(
  fetchFn: typeof fetch,
  options: EnrollOptions,
  body: { code: string; publicKey: string; signature: string },
): Promise<Reply> {
  const url = `${options.cloudUrl.replace(/\/+$/, '')}/v1/enrol`;
  let response: Response;
  let text: string;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
    });
    text = await response.text();
  } catch (error) {
    return refuse(
      KioskCode.ENROLMENT_UNREACHABLE,
      `${url}: ${error instanceof Error ? error.message : 'failed'}`,
    );
  }
  if (text.length > REPLY_BYTES_MAX) return refuse(KioskCode.ENROLMENT_REPLY_INVALID, 'reply is too large');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse(KioskCode.ENROLMENT_REPLY_INVALID, `HTTP ${response.status}: reply is not JSON`);
  }
  if (!response.ok) {
    const error = ErrorReply.safeParse(json);
    if (!error.success) return refuse(KioskCode.ENROLMENT_REPLY_INVALID, `HTTP ${response.status}`);
    const cloudCode = error.data.error.code;
    const known = CLOUD_CODES.has(cloudCode)
      ? (cloudCode as ErrorCodeType)
      : KioskCode.ENROLMENT_REPLY_INVALID;
    return refuse(known, `${cloudCode}: ${error.data.error.message}`);
  }
  const parsed = EnrolReply.safeParse(json);
  if (!parsed.success)
    return refuse(KioskCode.ENROLMENT_REPLY_INVALID, `unexpected enrolment reply: ${parsed.error.message}`);
  return { ok: true, value: parsed.data };
}
