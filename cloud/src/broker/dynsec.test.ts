import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { screenMayPublish, screenMaySubscribe } from '@redtap/shared';
import { cloudServiceRole, DYNSEC_CONTROL_TOPIC, DynsecControl, screenRole } from './dynsec.ts';

const root = 'test/v1';
const logger = pino({ level: 'silent' });

afterEach(() => {
  vi.useRealTimers();
});

/** Records what the control client publishes; replies are fed by hand. */
function fakeClient(): { client: MqttClient; sent: { topic: string; body: string }[] } {
  const sent: { topic: string; body: string }[] = [];
  const client = {
    publishAsync: (topic: string, body: string) => {
      sent.push({ topic, body });
      return Promise.resolve(undefined);
    },
  } as unknown as MqttClient;
  return { client, sent };
}

function correlationIds(body: string): string[] {
  const parsed = JSON.parse(body) as { commands: { correlationData: string }[] };
  return parsed.commands.map((c) => c.correlationData);
}

describe('screenRole', () => {
  it('grants exactly what the shared topic ACL allows', () => {
    const role = screenRole(42, 'screen-42', root);
    for (const acl of role.acls) {
      expect(acl.allow).toBe(true);
      if (acl.acltype === 'publishClientSend') expect(screenMayPublish(42, acl.topic, root)).toBe(true);
      else expect(screenMaySubscribe(42, acl.topic, root)).toBe(true);
      expect(acl.topic).not.toMatch(/[+#]/);
    }
    expect(role.acls.filter((acl) => acl.acltype === 'publishClientSend').map((acl) => acl.topic)).toEqual(
      (['taps', 'events', 'presence'] as const).map((kind) => `${root}/screens/42/${kind}`),
    );
    expect(role.acls.filter((acl) => acl.acltype === 'subscribeLiteral')).toHaveLength(4);
  });
});

describe('cloudServiceRole', () => {
  it('never grants a bare # nor publishing on up topics', () => {
    const role = cloudServiceRole(root);
    expect(role.acls.map((acl) => acl.topic)).not.toContain('#');
    const sends = role.acls.filter((acl) => acl.acltype === 'publishClientSend').map((acl) => acl.topic);
    expect(sends.some((topic) => /\/(taps|events|presence)$/.test(topic))).toBe(false);
    for (const kind of ['taps', 'events', 'presence']) {
      expect(role.acls.map((acl) => acl.topic)).toContain(`$share/redtap-ingest/${root}/screens/+/${kind}`);
      expect(role.acls.map((acl) => acl.topic)).toContain(`${root}/screens/+/${kind}`);
    }
  });
});

describe('DynsecControl', () => {
  it('matches replies to commands by correlation data', async () => {
    const { client, sent } = fakeClient();
    const control = new DynsecControl(client, { logger, timeoutMs: 1000, pendingMax: 10 });
    const running = control.run([
      { command: 'createRole', rolename: 'r' },
      { command: 'createClient', username: 'u' },
    ]);
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]?.topic).toBe(DYNSEC_CONTROL_TOPIC);
    const [first, second] = correlationIds(sent[0]!.body);
    control.handleResponse(
      Buffer.from(
        JSON.stringify({
          responses: [
            { command: 'createClient', correlationData: second, error: 'Client already exists' },
            { command: 'createRole', correlationData: 'someone-else' },
            { command: 'createRole', correlationData: first },
          ],
        }),
      ),
    );
    expect(await running).toEqual([
      { command: 'createRole' },
      { command: 'createClient', error: 'Client already exists' },
    ]);
  });

  it('times out when the broker never answers', async () => {
    vi.useFakeTimers();
    const { client } = fakeClient();
    const control = new DynsecControl(client, { logger, timeoutMs: 500, pendingMax: 10 });
    const running = control.run([{ command: 'deleteClient', username: 'u' }]).then(
      () => 'resolved',
      (error: unknown) => (error as Error).name,
    );
    await vi.advanceTimersByTimeAsync(500);
    expect(await running).toBe('TimeoutError');
  });

  it('refuses more commands in flight than its bound', async () => {
    const { client } = fakeClient();
    const control = new DynsecControl(client, { logger, timeoutMs: 50, pendingMax: 1 });
    const first = control.run([{ command: 'a' }]).catch(() => undefined);
    await expect(control.run([{ command: 'b' }])).rejects.toThrow(/in flight/);
    await first;
  });

  it('ignores garbage on the response topic', () => {
    const { client } = fakeClient();
    const control = new DynsecControl(client, { logger, timeoutMs: 50, pendingMax: 1 });
    for (const text of ['', 'null', '{', '{"responses":7}', '{"responses":[{"command":5}]}', '[]']) {
      expect(() => control.handleResponse(Buffer.from(text))).not.toThrow();
    }
  });
});
