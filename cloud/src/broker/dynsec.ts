// Mosquitto's dynamic-security plugin, driven over its control topic: per-screen roles and clients, and
// the cloud's own role. Mosquitto 2.0 has no `%u`/`%c` substitution in dynsec ACLs (it arrives in 2.1), so
// every screen gets a role of its own, named like its username.
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { allScreensTopic, assert, screenTopic, sharedSubscription } from '@redtap/shared';
import { TimeoutError } from './inbound.ts';

export const DYNSEC_CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response';
export const CLOUD_ROLE_NAME = 'redtap-cloud';
export const INGEST_SHARE_GROUP = 'redtap-ingest';

export type DynsecAclType =
  | 'publishClientSend'
  | 'publishClientReceive'
  | 'subscribeLiteral'
  | 'subscribePattern'
  | 'unsubscribeLiteral'
  | 'unsubscribePattern';

export interface DynsecAcl {
  acltype: DynsecAclType;
  topic: string;
  priority: number;
  allow: boolean;
}

export interface DynsecRole {
  rolename: string;
  textdescription?: string;
  acls: DynsecAcl[];
}

export type DynsecCommand = { command: string } & Record<string, unknown>;

const allow = (acltype: DynsecAclType, topic: string): DynsecAcl => ({
  acltype,
  topic,
  priority: 0,
  allow: true,
});

/**
 * docs/protocol.md §5.2 for one screen: publish its own up topics, subscribe its own down topics literally.
 * Mosquitto checks a will against the same publish ACL when it would send it, and drops one on any other
 * topic; the kiosk leaves its will only on its presence topic.
 */
export function screenRole(screenId: number, rolename: string, root: string): DynsecRole {
  const down = (['acks', 'decks', 'config', 'claimed'] as const).map((kind) =>
    screenTopic(screenId, kind, root),
  );
  return {
    rolename,
    textdescription: `RedTap screen ${screenId}`,
    acls: [
      allow('publishClientSend', screenTopic(screenId, 'taps', root)),
      allow('publishClientSend', screenTopic(screenId, 'events', root)),
      allow('publishClientSend', screenTopic(screenId, 'presence', root)),
      ...down.map((topic) => allow('subscribeLiteral', topic)),
      ...down.map((topic) => allow('unsubscribeLiteral', topic)),
      ...down.map((topic) => allow('publishClientReceive', topic)),
    ],
  };
}

/**
 * The cloud's service account, least privilege: drive dynsec over its control topic (which is what makes
 * an account a dynsec administrator), ingest every screen's up topics (plainly or through the shared
 * group) and publish every screen's down topics. Nothing else; in particular no `#`.
 */
export function cloudServiceRole(root: string, group = INGEST_SHARE_GROUP): DynsecRole {
  const up = [
    allScreensTopic('taps', root),
    allScreensTopic('events', root),
    allScreensTopic('presence', root),
  ];
  return {
    rolename: CLOUD_ROLE_NAME,
    textdescription: 'RedTap cloud: ingest, delivery and screen provisioning',
    acls: [
      allow('publishClientSend', DYNSEC_CONTROL_TOPIC),
      allow('subscribeLiteral', DYNSEC_RESPONSE_TOPIC),
      allow('publishClientReceive', DYNSEC_RESPONSE_TOPIC),
      ...up.flatMap((filter) => [
        allow('subscribePattern', filter),
        allow('subscribePattern', sharedSubscription(group, filter)),
        allow('publishClientReceive', filter),
      ]),
      allow('publishClientSend', allScreensTopic('acks', root)),
      allow('publishClientSend', allScreensTopic('decks', root)),
      allow('publishClientSend', allScreensTopic('config', root)),
      allow('publishClientSend', allScreensTopic('claimed', root)),
      allow('unsubscribePattern', `${root}/#`),
    ],
  };
}

const DynsecResponses = z.object({
  responses: z
    .array(
      z.object({
        command: z.string().max(64),
        error: z.string().max(1024).optional(),
        correlationData: z.string().max(128).optional(),
      }),
    )
    .max(256),
});

export interface DynsecResult {
  command: string;
  error?: string;
}

interface Pending {
  resolve: (result: DynsecResult) => void;
}

/** Request/response over the control topic, matched by `correlationData`; every wait is bounded. */
export class DynsecControl {
  private readonly client: MqttClient;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly pendingMax: number;
  private readonly pending = new Map<string, Pending>();
  private readonly prefix = `redtap-${process.pid}-${Date.now().toString(36)}`;
  private sequence = 0;

  constructor(client: MqttClient, options: { logger: Logger; timeoutMs: number; pendingMax: number }) {
    this.client = client;
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs;
    this.pendingMax = options.pendingMax;
  }

  /** Feed every message that arrives on DYNSEC_RESPONSE_TOPIC; untrusted, never throws. */
  handleResponse(payload: Uint8Array): void {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      this.logger.warn('dynsec response is not JSON');
      return;
    }
    const parsed = DynsecResponses.safeParse(json);
    if (!parsed.success) {
      this.logger.warn('dynsec response has an unexpected shape');
      return;
    }
    for (const response of parsed.data.responses) {
      // Other cloud replicas' replies arrive here too; theirs carry a correlation id we do not hold.
      const pending =
        response.correlationData === undefined ? undefined : this.pending.get(response.correlationData);
      if (pending === undefined) continue;
      pending.resolve(
        response.error === undefined
          ? { command: response.command }
          : { command: response.command, error: response.error },
      );
    }
  }

  /** Sends the commands in one message and resolves with one result per command, in order. */
  async run(commands: DynsecCommand[]): Promise<DynsecResult[]> {
    assert(commands.length > 0 && commands.length <= 64, 'dynsec: 1..64 commands per message');
    if (this.pending.size + commands.length > this.pendingMax)
      throw new Error('too many dynsec commands in flight');
    const ids = commands.map(() => `${this.prefix}-${++this.sequence}`);
    const results = ids.map(
      (id) =>
        new Promise<DynsecResult>((resolve) => {
          this.pending.set(id, { resolve });
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      const body = JSON.stringify({
        commands: commands.map((command, i) => ({ ...command, correlationData: ids[i] })),
      });
      await this.client.publishAsync(DYNSEC_CONTROL_TOPIC, body, { qos: 1 });
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new TimeoutError(`dynsec gave no answer within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
      });
      return await Promise.race([Promise.all(results), timeout]);
    } finally {
      clearTimeout(timer);
      for (const id of ids) this.pending.delete(id);
    }
  }

  /** Runs the commands and throws on any error except those `tolerated` says are fine. */
  async runChecked(
    commands: DynsecCommand[],
    tolerated: (result: DynsecResult) => boolean,
  ): Promise<DynsecResult[]> {
    const results = await this.run(commands);
    for (const result of results) {
      if (result.error !== undefined && !tolerated(result)) {
        throw new Error(`dynsec ${result.command} failed: ${result.error}`);
      }
    }
    return results;
  }

  /** At close: waiting runs then end by their own timeout. */
  forgetPending(): void {
    this.pending.clear();
  }
}
