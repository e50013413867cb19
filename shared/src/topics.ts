// MQTT topic names (docs/protocol.md §5). The root defaults to `redtap/v1`; tests give each run its own
// root so they never see another run's retained messages.

export const DEFAULT_TOPIC_ROOT = 'redtap/v1';

export const UpTopic = { taps: 'taps', events: 'events', presence: 'presence' } as const;
export const DownTopic = { acks: 'acks', decks: 'decks', config: 'config', claimed: 'claimed' } as const;
export type ScreenTopicKind =
  (typeof UpTopic)[keyof typeof UpTopic] | (typeof DownTopic)[keyof typeof DownTopic];

const KINDS = new Set<string>(['taps', 'events', 'presence', 'acks', 'decks', 'config', 'claimed']);
const UP_KINDS = new Set<string>(['taps', 'events', 'presence']);

export function screenTopic(screenId: number, kind: ScreenTopicKind, root = DEFAULT_TOPIC_ROOT): string {
  return `${root}/screens/${screenId}/${kind}`;
}

/** `+` filter over every screen, for the cloud's ingest subscriptions. */
export function allScreensTopic(kind: ScreenTopicKind, root = DEFAULT_TOPIC_ROOT): string {
  return `${root}/screens/+/${kind}`;
}

/** MQTT 5 shared subscription, so N cloud replicas split one topic's load. */
export function sharedSubscription(group: string, filter: string): string {
  return `$share/${group}/${filter}`;
}

export interface ParsedScreenTopic {
  screenId: number;
  kind: ScreenTopicKind;
  direction: 'up' | 'down';
}

export function parseScreenTopic(topic: string, root = DEFAULT_TOPIC_ROOT): ParsedScreenTopic | null {
  const prefix = `${root}/screens/`;
  if (!topic.startsWith(prefix)) return null;
  const rest = topic.slice(prefix.length).split('/');
  if (rest.length !== 2) return null;
  const [idText = '', kind = ''] = rest;
  if (!/^[1-9]\d{0,15}$/.test(idText) || !KINDS.has(kind)) return null;
  const screenId = Number(idText);
  if (!Number.isSafeInteger(screenId)) return null;
  return { screenId, kind: kind as ScreenTopicKind, direction: UP_KINDS.has(kind) ? 'up' : 'down' };
}

/** The ACL of docs/protocol.md §5.2: a screen publishes only its own up topics. */
export function screenMayPublish(screenId: number, topic: string, root = DEFAULT_TOPIC_ROOT): boolean {
  const parsed = parseScreenTopic(topic, root);
  return parsed !== null && parsed.screenId === screenId && parsed.direction === 'up';
}

/**
 * The only will a screen may leave: on its own `presence` topic (docs/protocol.md §5.6). The broker
 * publishes a will after the connection is gone, so it is judged at CONNECT, by topic alone.
 */
export function screenMaySetWill(screenId: number, topic: string, root = DEFAULT_TOPIC_ROOT): boolean {
  const parsed = parseScreenTopic(topic, root);
  return parsed !== null && parsed.screenId === screenId && parsed.kind === 'presence';
}

/** A screen subscribes only to its own down topics, and never with wildcards. */
export function screenMaySubscribe(screenId: number, filter: string, root = DEFAULT_TOPIC_ROOT): boolean {
  if (filter.includes('+') || filter.includes('#')) return false;
  const parsed = parseScreenTopic(filter, root);
  return parsed !== null && parsed.screenId === screenId && parsed.direction === 'down';
}

/** MQTT client id and username of a screen: `screen-{id}`. */
export function screenMqttUsername(screenId: number): string {
  return `screen-${screenId}`;
}
