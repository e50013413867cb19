// The `nats` broker engine's options from the cloud's environment (docs/operations.md, "NATS cluster").
import type { Env } from '../env.ts';
import type { NatsBrokerOptions } from './nats-broker.ts';

type NatsEnv = Pick<
  Env,
  | 'NATS_SERVERS'
  | 'NATS_MQTT_SERVERS'
  | 'NATS_OPERATOR_SEED'
  | 'NATS_ACCOUNT_SEED'
  | 'NATS_SYSTEM_ACCOUNT_SEED'
  | 'MQTT_PUBLIC_URL'
>;

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** Throws naming every missing variable. */
export function natsBrokerSettings(
  env: NatsEnv,
): Pick<NatsBrokerOptions, 'natsServers' | 'mqttServers' | 'seeds' | 'advertisedUrl'> {
  const natsServers = list(env.NATS_SERVERS);
  const mqttServers = list(env.NATS_MQTT_SERVERS);
  const missing = [
    natsServers.length === 0 ? 'NATS_SERVERS' : null,
    mqttServers.length === 0 ? 'NATS_MQTT_SERVERS' : null,
    env.NATS_OPERATOR_SEED === undefined ? 'NATS_OPERATOR_SEED' : null,
    env.NATS_ACCOUNT_SEED === undefined ? 'NATS_ACCOUNT_SEED' : null,
    env.NATS_SYSTEM_ACCOUNT_SEED === undefined ? 'NATS_SYSTEM_ACCOUNT_SEED' : null,
  ].filter((name) => name !== null);
  if (
    missing.length > 0 ||
    env.NATS_OPERATOR_SEED === undefined ||
    env.NATS_ACCOUNT_SEED === undefined ||
    env.NATS_SYSTEM_ACCOUNT_SEED === undefined
  )
    throw new Error(`BROKER=nats: set ${missing.join(', ')}`);
  return {
    natsServers,
    mqttServers,
    seeds: {
      operatorSeed: env.NATS_OPERATOR_SEED,
      accountSeed: env.NATS_ACCOUNT_SEED,
      systemAccountSeed: env.NATS_SYSTEM_ACCOUNT_SEED,
    },
    ...(env.MQTT_PUBLIC_URL === undefined ? {} : { advertisedUrl: env.MQTT_PUBLIC_URL }),
  };
}
