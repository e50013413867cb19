// Cross-cutting HTTP hygiene: /metrics is for operators or the configured scraper token, and every
// response — API, errors, creatives, the console, the docs — tells browsers not to sniff content types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { openTestDatabase } from './databases.ts';
import { advertiserSession, createTestCloud, json, operatorToken, type TestCloud } from './harness.ts';

const METRICS_TOKEN = 'scrape-token-0123456789abcdefghijklmnop';

describe('HTTP hygiene', () => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;
  let advertiser: string;

  beforeAll(async () => {
    handle = await openTestDatabase('pglite');
    cloud = createTestCloud(handle, { metricsToken: METRICS_TOKEN });
    operator = await operatorToken(cloud);
    advertiser = (await advertiserSession(cloud, operator)).token;
  }, 120_000);
  afterAll(async () => {
    await handle.close();
  });

  const metrics = (token?: string) => cloud.request('GET', '/metrics', { token });

  it('serves /metrics to operators and to the scraper token only', async () => {
    const anonymous = await metrics();
    expect([anonymous.status, (await json<{ error: { code: string } }>(anonymous)).error.code]).toEqual([
      401,
      ErrorCode.UNAUTHENTICATED,
    ]);
    const wrong = await metrics(METRICS_TOKEN.replace(/p$/, 'q'));
    expect(wrong.status).toBe(401);
    const tenant = await metrics(advertiser);
    expect([tenant.status, (await json<{ error: { code: string } }>(tenant)).error.code]).toEqual([
      403,
      ErrorCode.FORBIDDEN,
    ]);
    for (const token of [operator, METRICS_TOKEN]) {
      const response = await metrics(token);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('http_request_duration_seconds');
    }
  });

  it('refuses the scraper token when none is configured', async () => {
    const bare = createTestCloud(handle);
    expect((await bare.request('GET', '/metrics', { token: METRICS_TOKEN })).status).toBe(401);
  });

  it('sends X-Content-Type-Options: nosniff on every kind of response', async () => {
    const upload = await cloud.app.request('/v1/content', {
      method: 'POST',
      headers: { authorization: `Bearer ${advertiser}`, 'content-type': 'image/png' },
      body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]),
    });
    expect(upload.status).toBe(201);
    const { sha256 } = await json<{ sha256: string }>(upload);
    const responses = {
      creative: await cloud.request('GET', `/v1/content/${sha256}`),
      healthz: await cloud.request('GET', '/healthz'),
      openapi: await cloud.request('GET', '/openapi.json'),
      docs: await cloud.request('GET', '/docs'),
      console: await cloud.request('GET', '/operator/screens'),
      notFound: await cloud.request('GET', '/v1/no-such-route'),
      invalid: await cloud.request('GET', '/v1/reports?from=2024-02-30', { token: advertiser }),
      unauthenticated: await cloud.request('GET', '/metrics'),
    };
    for (const [name, response] of Object.entries(responses))
      expect([name, response.headers.get('x-content-type-options')]).toEqual([name, 'nosniff']);
    // A header a route sets itself wins: the console keeps refusing to be framed at all.
    const frame = responses.console.headers.get('x-frame-options');
    if (responses.console.status === 200) expect(frame).toBe('DENY');
  });
});
