// Runs the config dispatcher in tests: passes until nothing stale is left to claim.
import type { DatabaseHandle } from '../src/db/client.ts';
import {
  dispatchScreenConfigs,
  type ConfigDispatchDeps,
  type ConfigDispatchOutcome,
} from '../src/services/config-dispatcher.ts';
import { screenConfigOptionsOf } from '../src/services/screen-config.ts';
import type { TestCloud } from './harness.ts';

/** Passes until one claims nothing (screens waiting out a backoff are not claimed); at most `passesMax`. */
export async function drainScreenConfigs(
  deps: ConfigDispatchDeps,
  passesMax = 10_000,
): Promise<ConfigDispatchOutcome> {
  const total: ConfigDispatchOutcome = { claimed: 0, published: 0, superseded: 0, skipped: 0, failed: 0 };
  for (let pass = 0; pass < passesMax; pass++) {
    const outcome = await dispatchScreenConfigs(deps);
    for (const key of Object.keys(total) as (keyof ConfigDispatchOutcome)[]) total[key] += outcome[key];
    if (outcome.claimed === 0) return total;
  }
  throw new Error(`screen configs still stale after ${passesMax} passes`);
}

/** The test cloud's configs published to its fake broker, as the cloud process's dispatcher would. */
export function dispatchTestConfigs(
  cloud: TestCloud,
  handle?: DatabaseHandle,
): Promise<ConfigDispatchOutcome> {
  return drainScreenConfigs({
    db: handle?.db ?? cloud.deps.db,
    publish: (screenId, config) => cloud.broker.publishConfig(screenId, config),
    options: () => screenConfigOptionsOf(cloud.deps.settings),
    now: cloud.deps.now,
  });
}
