// A screen's own standing (docs/protocol.md §5.9), on PGlite and on PostgreSQL: enrolment answers before
// the broker-identity dispatcher has made the identity, and the screen, asking with its broker login,
// reads `pending` until it has and `ready` after; anyone but the screen is refused, and so is the screen
// once revoked (its password hash is gone), with the stable code a kiosk takes for revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, generateKeyPair, ScreenStatus } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, enrolBody, json, operatorToken, type TestCloud } from './harness.ts';

const engines = await testEngines();

interface ErrorReply {
  error: { code: string };
}

describe.each(engines)('screen status on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    // The dispatchers run only when the test settles: enrolment's identity stays wanted until then.
    cloud = createTestCloud(handle, {}, { settle: false });
    operator = await operatorToken(cloud);
  }, 180_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  async function enrolledScreen(elevator: string): Promise<{ screenId: number; basic: string }> {
    const created = await cloud.request('POST', '/v1/screens', {
      token: operator,
      body: { name: 'Lobby', city: 'Xiamen', building: 'Pier', elevator },
    });
    const screenId = (await json<{ id: number }>(created)).id;
    const code = await json<{ code: string }>(
      await cloud.request('POST', `/v1/screens/${screenId}/enrolment-codes`, { token: operator }),
    );
    const enrolled = await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(code.code, generateKeyPair()),
    });
    expect(enrolled.status).toBe(201);
    const { mqtt } = await json<{ mqtt: { username: string; password: string } }>(enrolled);
    return {
      screenId,
      basic: `Basic ${Buffer.from(`${mqtt.username}:${mqtt.password}`).toString('base64')}`,
    };
  }

  const status = (authorization?: string) =>
    cloud.app.request('/v1/screens/me/status', {
      headers: authorization === undefined ? {} : { authorization },
    });

  const refusal = async (response: Response) => [
    response.status,
    (await json<ErrorReply>(response)).error.code,
  ];

  it.skipIf(!available)(
    'answers pending until the broker identity is made, then ready',
    async () => {
      const { screenId, basic } = await enrolledScreen('S1');
      const before = await status(basic);
      expect(before.status).toBe(200);
      expect(ScreenStatus.parse(await before.json())).toEqual({
        screenId,
        status: 'active',
        broker: 'pending',
      });
      expect(cloud.broker.provisioned.has(screenId)).toBe(false);
      await cloud.settle();
      expect(cloud.broker.provisioned.has(screenId)).toBe(true);
      const after = await status(basic);
      expect(after.status).toBe(200);
      expect(ScreenStatus.parse(await after.json())).toEqual({ screenId, status: 'active', broker: 'ready' });
    },
    120_000,
  );

  it.skipIf(!available)(
    'refuses anyone but the screen, and the screen once revoked',
    async () => {
      const { screenId, basic } = await enrolledScreen('S2');
      await cloud.settle();
      expect(await refusal(await status())).toEqual([401, ErrorCode.UNAUTHENTICATED]);
      expect(await refusal(await status(`Bearer ${operator}`))).toEqual([403, ErrorCode.FORBIDDEN]);
      const wrong = `Basic ${Buffer.from(`screen-${screenId}:not-the-password`).toString('base64')}`;
      expect(await refusal(await status(wrong))).toEqual([401, ErrorCode.UNAUTHENTICATED]);
      const revoked = await cloud.request('POST', `/v1/screens/${screenId}/revoke`, { token: operator });
      expect(revoked.status).toBe(200);
      // Whether or not the broker removed the identity yet: the login is refused at once.
      expect(await refusal(await status(basic))).toEqual([401, ErrorCode.UNAUTHENTICATED]);
    },
    120_000,
  );
});
