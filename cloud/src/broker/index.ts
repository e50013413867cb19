// The cloud's MQTT broker layer: an embedded aedes or an external Mosquitto/EMQX behind one interface.
export type {
  AuthenticateScreen,
  BrokerStats,
  CloudBroker,
  ScreenEventMessage,
  TapBatchMessage,
} from './types.ts';
export type { BrokerLimits, CommonBrokerOptions } from './broker-options.ts';
export { defaultBrokerLimits } from './broker-options.ts';
export {
  createEmbeddedBroker,
  defaultEmbeddedBrokerLimits,
  type EmbeddedBrokerLimits,
  type EmbeddedBrokerOptions,
} from './embedded-broker.ts';
export {
  connectExternalBroker,
  defaultExternalBrokerLimits,
  type ExternalBrokerLimits,
  type ExternalBrokerOptions,
  type ExternalCloudBroker,
} from './external-broker.ts';
export {
  connectNatsBroker,
  defaultNatsBrokerLimits,
  type NatsBrokerLimits,
  type NatsBrokerOptions,
  type NatsCloudBroker,
} from './nats-broker.ts';
export { createNatsAuth, type NatsAuthSeeds, type NatsAuthSetup } from './nats-auth.ts';
export {
  CLOUD_ROLE_NAME,
  cloudServiceRole,
  INGEST_SHARE_GROUP,
  screenRole,
  type DynsecRole,
} from './dynsec.ts';
