import { describe, expect, it } from 'vitest';
import {
  allScreensTopic,
  parseScreenTopic,
  screenMayPublish,
  screenMaySetWill,
  screenMaySubscribe,
  screenTopic,
  sharedSubscription,
} from './topics.ts';

describe('MQTT topics', () => {
  it('builds the v1 topic names', () => {
    expect(screenTopic(42, 'taps')).toBe('redtap/v1/screens/42/taps');
    expect(screenTopic(42, 'config', 'test-run-1/redtap/v1')).toBe('test-run-1/redtap/v1/screens/42/config');
    expect(allScreensTopic('events')).toBe('redtap/v1/screens/+/events');
    expect(sharedSubscription('ingest', allScreensTopic('taps'))).toBe(
      '$share/ingest/redtap/v1/screens/+/taps',
    );
  });

  it('parses what it builds and nothing else', () => {
    expect(parseScreenTopic('redtap/v1/screens/42/acks')).toEqual({
      screenId: 42,
      kind: 'acks',
      direction: 'down',
    });
    expect(parseScreenTopic('redtap/v1/screens/42/taps')).toMatchObject({ direction: 'up' });
    expect(parseScreenTopic('redtap/v1/screens/42/claimed')).toEqual({
      screenId: 42,
      kind: 'claimed',
      direction: 'down',
    });
    expect(parseScreenTopic('redtap/v1/screens/42/presence')).toEqual({
      screenId: 42,
      kind: 'presence',
      direction: 'up',
    });
    for (const topic of [
      'redtap/v1/screens/42',
      'redtap/v1/screens/42/taps/x',
      'redtap/v1/screens/042/taps',
      'redtap/v1/screens/0/taps',
      'redtap/v1/screens/-1/taps',
      'redtap/v1/screens/99999999999999999/taps',
      'redtap/v1/screens/42/other',
      'redtap/v1/screens/42/presence/x',
      'redtap/v2/screens/42/taps',
      'redtap/v1/screens/+/taps',
    ]) {
      expect(parseScreenTopic(topic), topic).toBeNull();
    }
  });

  it('lets a screen publish only its own up topics', () => {
    expect(screenMayPublish(1, 'redtap/v1/screens/1/taps')).toBe(true);
    expect(screenMayPublish(1, 'redtap/v1/screens/1/events')).toBe(true);
    expect(screenMayPublish(1, 'redtap/v1/screens/1/presence')).toBe(true);
    expect(screenMayPublish(1, 'redtap/v1/screens/2/taps')).toBe(false);
    expect(screenMayPublish(1, 'redtap/v1/screens/2/presence')).toBe(false);
    expect(screenMayPublish(1, 'redtap/v1/screens/1/acks')).toBe(false);
    expect(screenMayPublish(1, 'redtap/v1/screens/1/config')).toBe(false);
  });

  it('lets a screen leave a will only on its own presence topic', () => {
    expect(screenMaySetWill(1, screenTopic(1, 'presence'))).toBe(true);
    expect(screenMaySetWill(1, screenTopic(1, 'presence', 'run-7/redtap/v1'), 'run-7/redtap/v1')).toBe(true);
    expect(screenMaySetWill(1, screenTopic(2, 'presence'))).toBe(false);
    for (const kind of ['taps', 'events', 'acks', 'decks', 'config'] as const) {
      expect(screenMaySetWill(1, screenTopic(1, kind)), kind).toBe(false);
    }
    expect(screenMaySetWill(1, 'redtap/v1/screens/+/presence')).toBe(false);
    expect(screenMaySetWill(1, 'redtap/v2/screens/1/presence')).toBe(false);
  });

  it('lets a screen subscribe only to its own down topics, without wildcards', () => {
    for (const kind of ['acks', 'decks', 'config', 'claimed'] as const) {
      expect(screenMaySubscribe(1, screenTopic(1, kind))).toBe(true);
      expect(screenMaySubscribe(1, screenTopic(2, kind))).toBe(false);
    }
    expect(screenMaySubscribe(1, 'redtap/v1/screens/1/taps')).toBe(false);
    expect(screenMaySubscribe(1, 'redtap/v1/screens/1/presence')).toBe(false);
    expect(screenMaySubscribe(1, 'redtap/v1/screens/+/acks')).toBe(false);
    expect(screenMaySubscribe(1, 'redtap/v1/screens/1/#')).toBe(false);
    expect(screenMaySubscribe(1, '#')).toBe(false);
  });
});
