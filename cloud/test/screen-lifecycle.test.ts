// A screen's lifecycle through the HTTP app, on PGlite and on PostgreSQL: every change of what a kiosk
// enforces raises its retained config's version (a kiosk ignores a version it holds), a patch answers the
// version the screen receives, and a revoked screen can be replaced by a new one at the same place or
// reinstated to enrol again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityKey, ErrorCode, generateKeyPair, toHex } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { dispatchTestConfigs } from './config-dispatch.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, enrolBody, json, operatorToken, type TestCloud } from './harness.ts';

const engines = await testEngines();

interface ErrorReply {
  error: { code: string; message: string };
}

interface ReProvisioned {
  screen: {
    id: number;
    status: string;
    name: string;
    city: string;
    elevator: string;
    publicKey: string | null;
  };
  code: string;
}

describe.each(engines)('screen lifecycle on $engine', ({ engine, available }) => {
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

  async function enrolledScreen(elevator: string): Promise<number> {
    const created = await cloud.request('POST', '/v1/screens', {
      token: operator,
      body: { name: 'Lobby', city: 'Suzhou', building: 'Gate', elevator },
    });
    const screenId = (await json<{ id: number }>(created)).id;
    const code = await json<{ code: string }>(
      await cloud.request('POST', `/v1/screens/${screenId}/enrolment-codes`, { token: operator }),
    );
    const enrolled = await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(code.code, generateKeyPair()),
    });
    expect(enrolled.status).toBe(201);
    return screenId;
  }

  const published = (screenId: number) => {
    const config = cloud.broker.configs.get(screenId);
    if (config === undefined) throw new Error(`no config published for screen ${screenId}`);
    return config;
  };

  it.skipIf(!available)(
    'raises the config version on a credential revocation and an issuer key rotation',
    async () => {
      const screenId = await enrolledScreen('V1');
      const first = published(screenId);
      const phone = generateKeyPair();
      const issued = await json<{ walletId: number; credentialSerial: number }>(
        await cloud.request('POST', '/v1/wallets', { body: { publicKey: toHex(phone.publicKeyRaw) } }),
      );
      const revoked = await cloud.request(
        'POST',
        `/v1/wallets/${issued.walletId}/credentials/${issued.credentialSerial}/revoke`,
        { token: operator },
      );
      expect(revoked.status).toBe(200);
      await dispatchTestConfigs(cloud);
      const afterRevocation = published(screenId);
      expect(afterRevocation.revocation.credentials).toContain(
        `${issued.walletId}:${issued.credentialSerial}`,
      );
      expect(afterRevocation.version).toBeGreaterThan(first.version);

      const rotated = await cloud.request('POST', '/v1/issuer-keys/rotate', { token: operator });
      expect(rotated.status).toBe(200);
      await dispatchTestConfigs(cloud);
      const afterRotation = published(screenId);
      expect(afterRotation.issuerKeys.length).toBeGreaterThan(afterRevocation.issuerKeys.length);
      expect(afterRotation.version).toBeGreaterThan(afterRevocation.version);

      // Publishing an unchanged config again keeps its version: kiosks have nothing new to apply.
      const patched = await cloud.request('PATCH', `/v1/screens/${screenId}`, {
        token: operator,
        body: { name: 'Renamed lobby' },
      });
      expect(patched.status).toBe(200);
      const screen = await json<{ configVersion: number }>(
        await cloud.request('GET', `/v1/screens/${screenId}`, { token: operator }),
      );
      expect(screen.configVersion).toBe(afterRotation.version);
    },
  );

  it.skipIf(!available)(
    'marks the config stale on a new time zone or city, and the dispatcher publishes the next version',
    async () => {
      const screenId = await enrolledScreen('P1');
      let before = published(screenId).version;
      for (const [body, changed] of [
        [{ timezone: 'Asia/Tokyo' }, true],
        [{ name: 'Renamed lobby' }, false],
        [{ city: 'Wuxi' }, true],
      ] as const) {
        const patched = await cloud.request('PATCH', `/v1/screens/${screenId}`, { token: operator, body });
        expect(patched.status).toBe(200);
        const answered = (await json<{ configVersion: number }>(patched)).configVersion;
        const read = await json<{ configVersion: number }>(
          await cloud.request('GET', `/v1/screens/${screenId}`, { token: operator }),
        );
        // Answered before the dispatcher published (the version the screen holds), then read after it:
        // the next version, published, with no version skipped.
        const expected = changed ? before + 1 : before;
        expect([body, answered, read.configVersion, published(screenId).version]).toEqual([
          body,
          before,
          expected,
          expected,
        ]);
        before = expected;
      }
      expect(published(screenId)).toMatchObject({ timezone: 'Asia/Tokyo', cityKey: cityKey('Wuxi') });
    },
  );

  it.skipIf(!available)(
    'answers a pending screen no version it will never receive: its first config goes out at enrolment',
    async () => {
      const created = await cloud.request('POST', '/v1/screens', {
        token: operator,
        body: { name: 'Lobby', city: 'Suzhou', building: 'Gate', elevator: 'P2' },
      });
      const screenId = (await json<{ id: number }>(created)).id;
      const patched = await cloud.request('PATCH', `/v1/screens/${screenId}`, {
        token: operator,
        body: { timezone: 'Asia/Tokyo' },
      });
      expect((await json<{ configVersion: number }>(patched)).configVersion).toBe(0);
      expect(cloud.broker.configs.has(screenId)).toBe(false);
      const code = await json<{ code: string }>(
        await cloud.request('POST', `/v1/screens/${screenId}/enrolment-codes`, { token: operator }),
      );
      await cloud.request('POST', '/v1/enrol', { body: enrolBody(code.code, generateKeyPair()) });
      expect(published(screenId)).toMatchObject({ version: 1, timezone: 'Asia/Tokyo' });
    },
  );

  it.skipIf(!available)('replaces a revoked screen with a new one at the same place', async () => {
    const screenId = await enrolledScreen('R1');
    const early = await cloud.request('POST', `/v1/screens/${screenId}/replace`, { token: operator });
    expect([early.status, (await json<ErrorReply>(early)).error.code]).toEqual([409, ErrorCode.CONFLICT]);

    await cloud.request('POST', `/v1/screens/${screenId}/revoke`, { token: operator });
    const replaced = await cloud.request('POST', `/v1/screens/${screenId}/replace`, { token: operator });
    expect(replaced.status).toBe(201);
    const body = await json<ReProvisioned>(replaced);
    expect(body.screen).toMatchObject({
      status: 'pending',
      name: 'Lobby',
      city: 'Suzhou',
      elevator: 'R1',
      publicKey: null,
    });
    expect(body.screen.id).not.toBe(screenId);
    const enrolled = await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(body.code, generateKeyPair()),
    });
    expect((await json<{ screenId: number }>(enrolled)).screenId).toBe(body.screen.id);

    const old = await json<{ status: string; replacedById: number | null }>(
      await cloud.request('GET', `/v1/screens/${screenId}`, { token: operator }),
    );
    expect(old).toMatchObject({ status: 'revoked', replacedById: body.screen.id });
    const twice = await cloud.request('POST', `/v1/screens/${screenId}/replace`, { token: operator });
    expect(twice.status).toBe(409);
    const reinstated = await cloud.request('POST', `/v1/screens/${screenId}/reinstate`, { token: operator });
    expect(reinstated.status).toBe(409);
  });

  it.skipIf(!available)(
    'reinstates a revoked screen to enrol again under its id with a new key',
    async () => {
      const screenId = await enrolledScreen('S1');
      const active = await cloud.request('POST', `/v1/screens/${screenId}/reinstate`, { token: operator });
      expect(active.status).toBe(409);
      await cloud.request('POST', `/v1/screens/${screenId}/revoke`, { token: operator });
      const reinstated = await cloud.request('POST', `/v1/screens/${screenId}/reinstate`, {
        token: operator,
      });
      expect(reinstated.status).toBe(200);
      const body = await json<ReProvisioned>(reinstated);
      expect(body.screen).toMatchObject({ id: screenId, status: 'pending', publicKey: null });
      const kiosk = generateKeyPair();
      const enrolled = await cloud.request('POST', '/v1/enrol', { body: enrolBody(body.code, kiosk) });
      expect(enrolled.status).toBe(201);
      const screen = await json<{ status: string; publicKey: string }>(
        await cloud.request('GET', `/v1/screens/${screenId}`, { token: operator }),
      );
      expect(screen).toMatchObject({ status: 'active', publicKey: toHex(kiosk.publicKeyRaw) });
    },
  );

  it.skipIf(!available)('answers 404 for an unknown screen and 403 to a non-operator', async () => {
    const missing = await cloud.request('POST', '/v1/screens/999999/replace', { token: operator });
    expect(missing.status).toBe(404);
    const anonymous = await cloud.request('POST', '/v1/screens/1/reinstate');
    expect(anonymous.status).toBe(401);
  });
});
