import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  enrolmentMessage,
  ErrorCode,
  fromHex,
  importPublicKeyRaw,
  SignatureLabel,
  toHex,
  verify,
} from '@redtap/shared';
import { keys, tempDir } from '../../test/fixtures.ts';
import { KioskCode } from '../codes.ts';
import { loadIdentity } from '../store/identity-queries.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { enroll } from './enroll.ts';
import { loadScreenKey, SCREEN_KEY_FILE } from './screen-key.ts';

let dir: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  dir = tempDir();
  store = openStore({ path: join(dir.dir, 'kiosk.db') });
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

function fakeFetch(status: number, body: unknown, seen: { url?: string; body?: unknown } = {}): typeof fetch {
  return (input, init) => {
    seen.url = input instanceof Request ? input.url : input.toString();
    seen.body = typeof init?.body === 'string' ? JSON.parse(init.body) : null;
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  };
}

const okReply = {
  screenId: 1001,
  mqtt: { url: 'mqtt://127.0.0.1:1883', username: 'screen-1001', password: 'secret', topicRoot: 'redtap/v1' },
  issuerKeys: [{ keyId: 1, publicKey: toHex(keys.issuer.publicKeyRaw) }],
};

describe('enroll', () => {
  it('posts a signed key, writes it 0600 and stores the identity', async () => {
    const seen: { url?: string; body?: unknown } = {};
    const result = await enroll({
      cloudUrl: 'http://cloud.test/',
      code: 'ab12cd34',
      dataDir: dir.dir,
      store,
      fetch: fakeFetch(200, okReply, seen),
      now: () => 1_795_000_000,
    });
    expect(result.ok).toBe(true);
    expect(seen.url).toBe('http://cloud.test/v1/enrol');
    const body = seen.body as { code: string; publicKey: string; signature: string };
    expect(body.code).toBe('AB12CD34');
    const publicKeyRaw = fromHex(body.publicKey) ?? new Uint8Array(0);
    const publicKey = importPublicKeyRaw(publicKeyRaw);
    if (!publicKey.ok) throw new Error(publicKey.code);
    const signature = fromHex(body.signature) ?? new Uint8Array(0);
    expect(
      verify(SignatureLabel.enroll, enrolmentMessage('AB12CD34', publicKeyRaw), signature, publicKey.value),
    ).toBe(true);

    const keyPath = join(dir.dir, SCREEN_KEY_FILE);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const loaded = loadScreenKey(keyPath);
    expect(loaded.ok && Buffer.from(loaded.value.publicKeyRaw).equals(Buffer.from(publicKeyRaw))).toBe(true);
    const identity = loadIdentity(store);
    expect(identity).toMatchObject({
      screenId: 1001,
      keyPath,
      mqtt: okReply.mqtt,
      enrolledAt: 1_795_000_000,
    });
    expect(
      Buffer.from(identity?.issuerKeys[0]?.publicKey ?? []).equals(Buffer.from(keys.issuer.publicKeyRaw)),
    ).toBe(true);

    const again = await enroll({
      cloudUrl: 'http://cloud.test',
      code: 'AB12CD34',
      dataDir: dir.dir,
      store,
      fetch: fakeFetch(200, okReply),
    });
    expect(again).toMatchObject({ ok: false, code: KioskCode.ALREADY_ENROLLED });
  });

  it('stores a bearer JWT as the MQTT password (the NATS engine), beyond 1 KiB', async () => {
    const jwt = `eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.${'x'.repeat(3_000)}.signature`;
    const reply = { ...okReply, mqtt: { ...okReply.mqtt, username: 'screen', password: jwt } };
    const result = await enroll({
      cloudUrl: 'http://cloud.test',
      code: 'AB12CD34',
      dataDir: dir.dir,
      store,
      fetch: fakeFetch(200, reply),
    });
    expect(result.ok).toBe(true);
    expect(loadIdentity(store)?.mqtt.password).toBe(jwt);
  });

  it.each([
    ErrorCode.ENROLMENT_CODE_INVALID,
    ErrorCode.ENROLMENT_CODE_EXPIRED,
    ErrorCode.ENROLMENT_CODE_USED,
  ])('surfaces %s from the cloud and leaves no key behind', async (code) => {
    const result = await enroll({
      cloudUrl: 'http://cloud.test',
      code: 'AB12CD34',
      dataDir: dir.dir,
      store,
      fetch: fakeFetch(409, { error: { code, message: 'nope' } }),
    });
    expect(result).toMatchObject({ ok: false, code });
    expect(readdirSync(dir.dir).filter((name) => name.includes('key'))).toEqual([]);
    expect(loadIdentity(store)).toBeNull();
  });

  it('reports an unreachable cloud, a malformed reply and a malformed code', async () => {
    const unreachable: typeof fetch = () => Promise.reject(new Error('ECONNREFUSED'));
    const base = { cloudUrl: 'http://cloud.test', dataDir: dir.dir, store };
    expect(await enroll({ ...base, code: 'AB12CD34', fetch: unreachable })).toMatchObject({
      code: KioskCode.ENROLMENT_UNREACHABLE,
    });
    expect(
      await enroll({ ...base, code: 'AB12CD34', fetch: fakeFetch(200, { screenId: 'x' }) }),
    ).toMatchObject({
      code: KioskCode.ENROLMENT_REPLY_INVALID,
    });
    expect(await enroll({ ...base, code: 'ILOU0000', fetch: fakeFetch(200, okReply) })).toMatchObject({
      code: ErrorCode.ENROLMENT_CODE_INVALID,
    });
    expect(loadIdentity(store)).toBeNull();
  });

  it('refuses a key file others can read', async () => {
    await enroll({
      cloudUrl: 'http://c',
      code: 'AB12CD34',
      dataDir: dir.dir,
      store,
      fetch: fakeFetch(200, okReply),
    });
    const keyPath = join(dir.dir, SCREEN_KEY_FILE);
    const { chmodSync } = await import('node:fs');
    chmodSync(keyPath, 0o644);
    expect(loadScreenKey(keyPath)).toMatchObject({ ok: false, code: KioskCode.KEY_FILE_INSECURE });
  });
});
