// Options and limits common to both broker engines.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { InboundLimits } from './inbound.ts';
import { defaultInboundLimits } from './inbound.ts';

export interface BrokerLimits extends InboundLimits {
  /** Cloud → screen publishes waiting for the broker at once; beyond it publishing fails fast. */
  publishInflightMax: number;
  publishTimeoutMs: number;
  closeTimeoutMs: number;
}

export const defaultBrokerLimits: BrokerLimits = {
  ...defaultInboundLimits,
  publishInflightMax: 10_000,
  publishTimeoutMs: 10_000,
  closeTimeoutMs: 5_000,
};

export interface CommonBrokerOptions {
  logger: Logger;
  /** Defaults to `redtap/v1`; tests give each run its own root. */
  topicRoot?: string;
  limits?: Partial<BrokerLimits>;
  /** Counters are registered here when given (one broker per registry). */
  metricsRegistry?: Registry;
}
