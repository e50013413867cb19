// Screens, enrolment, screen health and wallets end to end through the HTTP app, on PGlite and on
// PostgreSQL (the same contract on both engines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCredential,
  ErrorCode,
  generateKeyPair,
  importPublicKeyRaw,
  loginMessage,
  SignatureLabel,
  sign,
  toHex,
  verifyCredentialSignature,
  type KeyPair,
} from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { dispatchBrokerIdentities } from '../src/services/broker-identity-dispatcher.ts';
import { dispatchTestConfigs } from './config-dispatch.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, enrolBody, json, operatorToken, type TestCloud } from './harness.ts';

const engines = await testEngines();

interface ErrorReply {
  error: { code: string; message: string };
}

describe.each(engines)('screens and wallets on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    operator = await operatorToken(cloud);
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  async function createScreen(place: { city: string; building: string; elevator: string }): Promise<number> {
    const response = await cloud.request('POST', '/v1/screens', {
      token: operator,
      body: { name: 'Lobby A', ...place },
    });
    expect(response.status).toBe(201);
    return (await json<{ id: number }>(response)).id;
  }

  async function enrolmentCode(screenId: number): Promise<string> {
    const response = await cloud.request('POST', `/v1/screens/${screenId}/enrolment-codes`, {
      token: operator,
    });
    expect(response.status).toBe(201);
    return (await json<{ code: string }>(response)).code;
  }

  it.skipIf(!available)('enrols a kiosk once, provisions the broker and publishes its config', async () => {
    const screenId = await createScreen({ city: 'Shanghai', building: 'Tower 1', elevator: 'E1' });
    const code = await enrolmentCode(screenId);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    const kiosk = generateKeyPair();

    const forged = await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(code, kiosk, generateKeyPair()),
    });
    expect((await json<ErrorReply>(forged)).error.code).toBe(ErrorCode.ENROLMENT_SIGNATURE_INVALID);
    const unknown = await cloud.request('POST', '/v1/enrol', { body: enrolBody('ZZZZZZZZ', kiosk) });
    expect((await json<ErrorReply>(unknown)).error.code).toBe(ErrorCode.ENROLMENT_CODE_INVALID);

    const enrolled = await cloud.request('POST', '/v1/enrol', { body: enrolBody(code, kiosk) });
    expect(enrolled.status).toBe(201);
    const grant = await json<{
      screenId: number;
      mqtt: { url: string; username: string; password: string; topicRoot: string };
      issuerKeys: { keyId: number; publicKey: string }[];
    }>(enrolled);
    expect(grant).toMatchObject({
      screenId,
      mqtt: { url: cloud.broker.url, username: `screen-${screenId}`, topicRoot: 'redtap/test' },
    });
    expect(grant.issuerKeys).toHaveLength(1);
    expect(cloud.broker.provisioned.get(screenId)).toEqual({
      username: `screen-${screenId}`,
      password: grant.mqtt.password,
    });
    expect(cloud.broker.configs.get(screenId)).toMatchObject({
      timezone: 'Asia/Shanghai',
      issuerKeys: grant.issuerKeys,
      campaigns: [],
    });

    const reused = await cloud.request('POST', '/v1/enrol', { body: enrolBody(code, kiosk) });
    expect([reused.status, (await json<ErrorReply>(reused)).error.code]).toEqual([
      409,
      ErrorCode.ENROLMENT_CODE_USED,
    ]);

    const auth = cloud.deps.screenAuth.authenticate;
    expect(await auth(`screen-${screenId}`, grant.mqtt.password)).toBe(screenId);
    expect(await auth(`screen-${screenId}`, grant.mqtt.password)).toBe(screenId);
    expect(await auth(`screen-${screenId}`, 'wrong')).toBeNull();
    expect(await auth(`screen-${screenId + 1}`, grant.mqtt.password)).toBeNull();
    expect(await auth('admin', grant.mqtt.password)).toBeNull();

    const screen = await json<{ status: string; publicKey: string }>(
      await cloud.request('GET', `/v1/screens/${screenId}`, { token: operator }),
    );
    expect(screen).toMatchObject({ status: 'active', publicKey: toHex(kiosk.publicKeyRaw) });

    // Revocation: the broker identity goes, cached logins stop working, and a new code is refused.
    const revoked = await cloud.request('POST', `/v1/screens/${screenId}/revoke`, { token: operator });
    expect((await json<{ status: string }>(revoked)).status).toBe('revoked');
    // The request wanted the identity absent; the broker-identity dispatcher removes it.
    expect(cloud.broker.revoked).not.toContain(screenId);
    await dispatchBrokerIdentities({
      db: handle.db,
      kek: cloud.deps.secrets.issuerKek,
      now: () => new Date(cloud.clock.nowMs),
      provision: (id, username, password) => cloud.broker.provisionScreen(id, username, password),
      remove: (id) => cloud.broker.revokeScreen(id),
    });
    expect(cloud.broker.revoked).toContain(screenId);
    expect(await auth(`screen-${screenId}`, grant.mqtt.password)).toBeNull();
    const again = await cloud.request('POST', `/v1/screens/${screenId}/enrolment-codes`, { token: operator });
    expect((await json<ErrorReply>(again)).error.code).toBe(ErrorCode.SCREEN_REVOKED);
  });

  it.skipIf(!available)('expires enrolment codes after 24 hours', async () => {
    const screenId = await createScreen({ city: 'Beijing', building: 'Plaza', elevator: 'E2' });
    const code = await enrolmentCode(screenId);
    cloud.clock.nowMs += 24 * 3600 * 1000 + 1;
    try {
      const response = await cloud.request('POST', '/v1/enrol', { body: enrolBody(code, generateKeyPair()) });
      expect([response.status, (await json<ErrorReply>(response)).error.code]).toEqual([
        410,
        ErrorCode.ENROLMENT_CODE_EXPIRED,
      ]);
    } finally {
      cloud.clock.nowMs -= 24 * 3600 * 1000 + 1;
    }
  });

  it.skipIf(!available)('rate-limits enrolment attempts', async () => {
    const limited = createTestCloud(handle, { enrolRateLimit: { limit: 2, windowMs: 60_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await limited.request('POST', '/v1/enrol', { body: enrolBody('ABCDEFGH', generateKeyPair()) }))
          .status,
      );
    }
    expect(statuses).toEqual([400, 400, 429, 429]);
  });

  it.skipIf(!available)('records heartbeats as screen health', async () => {
    const screenId = await createScreen({ city: 'Shenzhen', building: 'Bay', elevator: 'E1' });
    await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(await enrolmentCode(screenId), generateKeyPair()),
    });
    const nowS = Math.floor(cloud.clock.nowMs / 1000);
    await cloud.broker.deliverEvent({
      screenId,
      event: {
        type: 'heartbeat',
        ts: nowS - 42,
        appVersion: '1.2.3',
        counter: 981,
        backlog: 7,
        decks: [{ deckId: 5, campaignId: 2, remaining: 40, count: 100, validUntil: nowS + 3600 }],
      },
    });
    const screen = await json<{ health: Record<string, unknown> }>(
      await cloud.request('GET', `/v1/screens/${screenId}`, { token: operator }),
    );
    expect(screen.health).toMatchObject({ appVersion: '1.2.3', tapCounter: 981, backlog: 7, clockSkewS: 42 });
    expect(screen.health.decks).toEqual([
      { deckId: 5, campaignId: 2, remaining: 40, count: 100, validUntil: nowS + 3600 },
    ]);
  });

  it.skipIf(!available)('lists, filters, pages, groups and updates screens', async () => {
    const ids: number[] = [];
    for (const elevator of ['E1', 'E2', 'E3'])
      ids.push(await createScreen({ city: 'Hangzhou', building: 'West Lake', elevator }));
    const firstPage = await json<{ items: { id: number }[]; nextAfter: number | null }>(
      await cloud.request('GET', '/v1/screens?city=Hangzhou&limit=2', { token: operator }),
    );
    expect(firstPage.items.map((s) => s.id)).toEqual(ids.slice(0, 2));
    const secondPage = await json<{ items: { id: number }[]; nextAfter: number | null }>(
      await cloud.request('GET', `/v1/screens?city=Hangzhou&limit=2&after=${firstPage.nextAfter ?? 0}`, {
        token: operator,
      }),
    );
    expect(secondPage).toEqual({ items: [expect.objectContaining({ id: ids[2] })], nextAfter: null });

    const locations = await json<{ items: unknown[]; truncated: boolean }>(
      await cloud.request('GET', '/v1/screens/locations?city=Hangzhou', { token: operator }),
    );
    expect(locations.items).toHaveLength(3);
    expect(locations.truncated).toBe(false);
    // Fewer places asked for than there are: the first ones, and a flag saying the list was cut.
    const cut = await json<{ items: { elevator: string }[]; truncated: boolean }>(
      await cloud.request('GET', '/v1/screens/locations?city=Hangzhou&limit=2', { token: operator }),
    );
    expect([cut.items.length, cut.truncated]).toEqual([2, true]);
    const exact = await json<{ items: unknown[]; truncated: boolean }>(
      await cloud.request('GET', '/v1/screens/locations?city=Hangzhou&limit=3', { token: operator }),
    );
    expect([exact.items.length, exact.truncated]).toEqual([3, false]);
    expect(locations.items[0]).toEqual({
      city: 'Hangzhou',
      building: 'West Lake',
      elevator: 'E1',
      screens: 1,
      active: 0,
    });

    const group = await json<{ id: number }>(
      await cloud.request('POST', '/v1/screen-groups', {
        token: operator,
        body: { name: `pilot-${engine}` },
      }),
    );
    const members = await cloud.request('PUT', `/v1/screen-groups/${group.id}/screens`, {
      token: operator,
      body: { screenIds: [ids[2], ids[0]] },
    });
    expect((await json<{ screenIds: number[] }>(members)).screenIds).toEqual([ids[0], ids[2]]);
    const inGroup = await json<{ items: { id: number }[] }>(
      await cloud.request('GET', `/v1/screens?groupId=${group.id}`, { token: operator }),
    );
    expect(inGroup.items.map((s) => s.id)).toEqual([ids[0], ids[2]]);
    const unknown = await cloud.request('PUT', `/v1/screen-groups/${group.id}/screens`, {
      token: operator,
      body: { screenIds: [999_999] },
    });
    expect(unknown.status).toBe(404);

    const patched = await cloud.request('PATCH', `/v1/screens/${ids[0]}`, {
      token: operator,
      body: { name: 'Renamed', timezone: 'Asia/Tokyo' },
    });
    // Pending: no config goes out before enrolment, so the version stays 0.
    expect(await json(patched)).toMatchObject({ name: 'Renamed', timezone: 'Asia/Tokyo', configVersion: 0 });
    const badZone = await cloud.request('PATCH', `/v1/screens/${ids[0]}`, {
      token: operator,
      body: { timezone: 'Mars/Base' },
    });
    expect(badZone.status).toBe(400);
  });

  it.skipIf(!available)(
    'registers a wallet with a credential that verifies, and logs it in once per nonce',
    async () => {
      const phone = generateKeyPair();
      const registered = await cloud.request('POST', '/v1/wallets', {
        body: { publicKey: toHex(phone.publicKeyRaw) },
      });
      expect(registered.status).toBe(201);
      const issued = await json<{
        walletId: number;
        credential: string;
        issuerKeyId: number;
        credentialSerial: number;
      }>(registered);
      const credentialBytes = Buffer.from(issued.credential, 'hex');
      expect(credentialBytes).toHaveLength(147);
      const decoded = decodeCredential(credentialBytes);
      expect(decoded.ok && decoded.value.walletId).toBe(issued.walletId);
      const keys = await json<{ keys: { keyId: number; publicKey: string }[] }>(
        await cloud.request('GET', '/v1/issuer-keys'),
      );
      const issuerKey = keys.keys.find((key) => key.keyId === issued.issuerKeyId);
      const imported = importPublicKeyRaw(Buffer.from(issuerKey?.publicKey ?? '', 'hex'));
      expect(imported.ok && verifyCredentialSignature(credentialBytes, imported.value)).toBe(true);

      const again = await json<{ walletId: number; credentialSerial: number }>(
        await cloud.request('POST', '/v1/wallets', { body: { publicKey: toHex(phone.publicKeyRaw) } }),
      );
      expect(again).toMatchObject({
        walletId: issued.walletId,
        credentialSerial: issued.credentialSerial + 1,
      });

      const login = async (signer: KeyPair, mutate?: (nonce: string) => string) => {
        const { nonce } = await json<{ nonce: string }>(
          await cloud.request('GET', `/v1/wallets/${issued.walletId}/login-challenge`),
        );
        const signature = toHex(
          sign(
            SignatureLabel.login,
            loginMessage(issued.walletId, Buffer.from(nonce, 'hex')),
            signer.privateKey,
          ),
        );
        const body = { nonce: mutate === undefined ? nonce : mutate(nonce), signature };
        return {
          nonce,
          body,
          response: await cloud.request('POST', `/v1/wallets/${issued.walletId}/login`, { body }),
        };
      };
      const good = await login(phone);
      expect(good.response.status).toBe(200);
      const { token } = await json<{ token: string }>(good.response);
      const me = await json(await cloud.request('GET', '/v1/wallets/me', { token }));
      expect(me).toMatchObject({ walletId: issued.walletId, balanceFen: 0 });

      const replay = await cloud.request('POST', `/v1/wallets/${issued.walletId}/login`, { body: good.body });
      expect((await json<ErrorReply>(replay)).error.code).toBe(ErrorCode.LOGIN_CHALLENGE_INVALID);
      const stranger = await login(generateKeyPair());
      expect(stranger.response.status).toBe(401);

      const { nonce } = await json<{ nonce: string }>(
        await cloud.request('GET', `/v1/wallets/${issued.walletId}/login-challenge`),
      );
      cloud.clock.nowMs += 61_000;
      try {
        const signature = toHex(
          sign(
            SignatureLabel.login,
            loginMessage(issued.walletId, Buffer.from(nonce, 'hex')),
            phone.privateKey,
          ),
        );
        const late = await cloud.request('POST', `/v1/wallets/${issued.walletId}/login`, {
          body: { nonce, signature },
        });
        expect(late.status).toBe(401);
      } finally {
        cloud.clock.nowMs -= 61_000;
      }
    },
  );

  it.skipIf(!available)('revokes a wallet credential into every screen config', async () => {
    const screenId = await createScreen({ city: 'Wuhan', building: 'Han', elevator: 'E1' });
    await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(await enrolmentCode(screenId), generateKeyPair()),
    });
    const phone = generateKeyPair();
    const issued = await json<{ walletId: number; credentialSerial: number }>(
      await cloud.request('POST', '/v1/wallets', { body: { publicKey: toHex(phone.publicKeyRaw) } }),
    );
    const path = `/v1/wallets/${issued.walletId}/credentials/${issued.credentialSerial}/revoke`;
    const revoked = await cloud.request('POST', path, { token: operator });
    expect(revoked.status).toBe(200);
    expect((await json<{ queued: { screens: number } }>(revoked)).queued.screens).toBeGreaterThanOrEqual(1);
    await dispatchTestConfigs(cloud);
    const config = cloud.broker.configs.get(screenId);
    expect(config?.revocation.credentials).toContain(`${issued.walletId}:${issued.credentialSerial}`);
    const missing = await cloud.request('POST', `/v1/wallets/${issued.walletId}/credentials/999/revoke`, {
      token: operator,
    });
    expect(missing.status).toBe(404);
  });

  it.skipIf(!available)('rotates the issuer key and keeps the old one pinned', async () => {
    const screenId = await createScreen({ city: 'Chengdu', building: 'IFS', elevator: 'E9' });
    await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(await enrolmentCode(screenId), generateKeyPair()),
    });
    const before = await json<{ keys: { keyId: number }[] }>(await cloud.request('GET', '/v1/issuer-keys'));
    const rotated = await json<{ keyId: number; queued: { screens: number } }>(
      await cloud.request('POST', '/v1/issuer-keys/rotate', { token: operator }),
    );
    expect(rotated.queued.screens).toBeGreaterThanOrEqual(1);
    await dispatchTestConfigs(cloud);
    const after = await json<{ keys: { keyId: number; retiredAt?: number }[] }>(
      await cloud.request('GET', '/v1/issuer-keys'),
    );
    expect(after.keys).toHaveLength(before.keys.length + 1);
    expect(after.keys.filter((key) => key.retiredAt === undefined)).toEqual([
      expect.objectContaining({ keyId: rotated.keyId }),
    ]);
    expect(cloud.broker.configs.get(screenId)?.issuerKeys).toHaveLength(after.keys.length);
    const phone = generateKeyPair();
    const issued = await json<{ issuerKeyId: number }>(
      await cloud.request('POST', '/v1/wallets', { body: { publicKey: toHex(phone.publicKeyRaw) } }),
    );
    expect(issued.issuerKeyId).toBe(rotated.keyId);
  });
});
