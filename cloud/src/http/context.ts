// What every route handler can reach: the services' dependencies and the request's principal.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CloudBroker } from '../broker/types.ts';
import type { Database } from '../db/client.ts';
import type { ScryptParameters } from '../auth/passwords.ts';
import type { CloudSecrets } from '../auth/secrets.ts';
import type { Principal } from '../auth/sessions.ts';
import type { ScreenAuthenticator } from '../services/screen-auth.ts';
import type { ContentStore } from '../services/content-store.ts';
import type { MoneySettings } from '../money-settings.ts';
import type { RedemptionService } from '../redemption/redemption-service.ts';
import type { ReplyCheck } from './reply-check.ts';
import type { AcceptSunRead } from '../services/claims.ts';
import type { ClaimNoticeDispatcher } from '../services/claim-notices.ts';
import type { BrokerIdentityDispatcher } from '../services/broker-identity-dispatcher.ts';

export interface RateLimitSetting {
  limit: number;
  windowMs: number;
}

/** Points per window for till lookups, per till key and per address; a failed lookup costs `failureCost`. */
export interface TillRateLimitSetting {
  pointsMax: number;
  windowMs: number;
  failureCost: number;
}

export interface AppSettings {
  sessionTtlS: number;
  credentialTtlS: number;
  timezone: string;
  topicRoot: string;
  /** The broker address kiosks are told at enrolment; defaults to the broker's own url. */
  mqttPublicUrl: string | undefined;
  trustProxy: boolean;
  /**
   * The console's public origin (REDTAP_PUBLIC_ORIGIN): the WebAuthn relying party of wallet passkeys.
   * Filled in with http://localhost:<port> once the server listens when not configured.
   */
  publicOrigin?: string | undefined;
  /**
   * REDTAP_PUBLIC_ORIGIN as configured, never the fallback: the origin screens put in their claim URLs
   * (docs/protocol.md §3.8). Unset, a kiosk uses the cloud URL it enrolled with.
   */
  configuredPublicOrigin?: string | undefined;
  /** The bearer token that may read /metrics besides operator sessions (REDTAP_METRICS_TOKEN). */
  metricsToken?: string | undefined;
  passwordScrypt: ScryptParameters;
  bodyLimitBytes: number;
  loginRateLimit: RateLimitSetting;
  enrolRateLimit: RateLimitSetting;
  /** Screen logins (HTTP Basic, docs/protocol.md §5.8) per address, counted before the password's hash. */
  screenLoginRateLimit: RateLimitSetting;
  redeemRateLimit: RateLimitSetting;
  tillRateLimit: TillRateLimitSetting;
  money: MoneySettings;
}

export interface AppDeps {
  db: Database;
  broker: CloudBroker;
  logger: Logger;
  secrets: CloudSecrets;
  screenAuth: ScreenAuthenticator;
  metrics: Registry;
  now: () => Date;
  settings: AppSettings;
  /** Creative files by SHA-256. */
  content: ContentStore;
  /** Both redemption paths: kiosk batches (attached to the broker) and `POST /v1/redeem`. */
  redemption: RedemptionService;
  /** The SUN verifier and tag registry for sticker claims; without it a sticker claim is refused. */
  acceptSunRead?: AcceptSunRead | undefined;
  /** Publishes the `claimed` notices claims queue; poked after each new claim. */
  claimNotices?: ClaimNoticeDispatcher | undefined;
  /** Makes the screens' broker identities as wanted; poked after a revocation removes some. */
  brokerIdentities?: BrokerIdentityDispatcher | undefined;
  /**
   * Pokes the dispatchers that make desired state true (decks, broker identities, configs) after a
   * request wrote some; without it they find the work at their next interval.
   */
  dispatchers?: { poke(): void } | undefined;
  /** Tests only: checks every 2xx reply against its route's declared schema (reply-check.ts). */
  replyCheck?: ReplyCheck | undefined;
}

export interface AppEnv {
  Variables: {
    principal: Principal | null;
    /** A screen that sent its broker login as HTTP Basic (routes with the `screen` policy). */
    screenId: number | null;
    requestId: string;
    replyCheck: ReplyCheck | null;
  };
}
