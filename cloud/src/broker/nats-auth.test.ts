import { decode } from '@nats-io/jwt';
import { describe, expect, it } from 'vitest';
import {
  createNatsAuth,
  mintBearerUser,
  mintScreenJwt,
  mqttTopicToSubject,
  screenJwtKey,
  screenPermissions,
} from './nats-auth.ts';
import { natsBrokerSettings } from './nats-env.ts';

describe('NATS auth', () => {
  it('maps MQTT topics and filters to NATS subjects', () => {
    expect(mqttTopicToSubject('redtap/v1/screens/7/taps')).toBe('redtap.v1.screens.7.taps');
    expect(mqttTopicToSubject('redtap/v1/screens/+/acks')).toBe('redtap.v1.screens.*.acks');
    expect(mqttTopicToSubject('redtap/#')).toBe('redtap.>');
  });

  it("gives a screen's bearer JWT the §5.2 ACL and nothing more", async () => {
    const auth = await createNatsAuth();
    const { jwt, publicKey } = await mintScreenJwt(7, 'screen-7', auth.accountSeed, 'redtap/v1');
    const claims = decode<{
      bearer_token: boolean;
      pub: { allow: string[] };
      sub: { allow: string[] };
    }>(jwt);
    expect(claims.sub).toBe(publicKey);
    expect(claims.iss).toBe(auth.accountPublicKey);
    expect(claims.nats.bearer_token).toBe(true);
    expect(claims.nats.pub?.allow).toEqual([
      'redtap.v1.screens.7.taps',
      'redtap.v1.screens.7.events',
      'redtap.v1.screens.7.presence',
    ]);
    expect(claims.nats.sub?.allow).toEqual([
      'redtap.v1.screens.7.acks',
      'redtap.v1.screens.7.decks',
      'redtap.v1.screens.7.config',
      'redtap.v1.screens.7.claimed',
      '$MQTT.sub.>',
    ]);
    expect(screenPermissions(7, 'redtap/v1')).toEqual({ pub: claims.nats.pub, sub: claims.nats.sub });
    expect(screenJwtKey(jwt, 7, 'screen-7', auth.accountPublicKey, 'redtap/v1')).toBe(publicKey);
  });

  it("refuses to provision a JWT of another screen, another account or that isn't a bearer token", async () => {
    const auth = await createNatsAuth();
    const other = await createNatsAuth();
    const { jwt } = await mintScreenJwt(7, 'screen-7', auth.accountSeed, 'redtap/v1');
    const key = auth.accountPublicKey;
    expect(() => screenJwtKey(jwt, 8, 'screen-8', key, 'redtap/v1')).toThrow(/screen-8/);
    expect(() => screenJwtKey(jwt, 7, 'screen-7', other.accountPublicKey, 'redtap/v1')).toThrow(/not issued/);
    expect(() => screenJwtKey(jwt, 7, 'screen-7', key, 'other/v1')).toThrow(/ACL/);
    const unrestricted = await mintBearerUser('screen-7', auth.accountSeed);
    expect(() => screenJwtKey(unrestricted.jwt, 7, 'screen-7', key, 'redtap/v1')).toThrow(/ACL/);
    const tampered = `${jwt.slice(0, -4)}AAAA`;
    expect(() => screenJwtKey(tampered, 7, 'screen-7', key, 'redtap/v1')).toThrow();
  });

  it('reads the engine settings from the environment and names what is missing', () => {
    expect(() => natsBrokerSettings({ NATS_SERVERS: 'nats://a:4222' } as never)).toThrow(
      'BROKER=nats: set NATS_MQTT_SERVERS, NATS_OPERATOR_SEED, NATS_ACCOUNT_SEED, NATS_SYSTEM_ACCOUNT_SEED',
    );
    expect(
      natsBrokerSettings({
        NATS_SERVERS: 'nats://a:4222, nats://b:4222',
        NATS_MQTT_SERVERS: 'mqtt://a:1883,mqtt://b:1883',
        NATS_OPERATOR_SEED: 'SO',
        NATS_ACCOUNT_SEED: 'SA1',
        NATS_SYSTEM_ACCOUNT_SEED: 'SA2',
        MQTT_PUBLIC_URL: undefined,
      }),
    ).toEqual({
      natsServers: ['nats://a:4222', 'nats://b:4222'],
      mqttServers: ['mqtt://a:1883', 'mqtt://b:1883'],
      seeds: { operatorSeed: 'SO', accountSeed: 'SA1', systemAccountSeed: 'SA2' },
    });
  });
});
