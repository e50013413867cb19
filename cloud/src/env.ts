// The cloud's configuration, read from the environment and validated once. Nothing else reads process.env.
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65_535);
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));
const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1');

const EnvSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(8787),
  /** PostgreSQL connection string; unset = embedded PGlite under REDTAP_DATA_DIR. */
  DATABASE_URL: optionalText,
  REDTAP_DATA_DIR: z.string().default('.redtap/cloud'),
  /** External broker (Mosquitto/EMQX); unset = embedded aedes on MQTT_HOST:MQTT_PORT. */
  MQTT_URL: optionalText,
  MQTT_USERNAME: optionalText,
  MQTT_PASSWORD: optionalText,
  MQTT_HOST: z.string().default('127.0.0.1'),
  MQTT_PORT: port.default(1884),
  /** The broker address handed to kiosks at enrolment when it differs from the one the cloud uses. */
  MQTT_PUBLIC_URL: optionalText,
  /**
   * The broker engine: `embedded` (aedes, one replica), `external` (Mosquitto at MQTT_URL) or `nats` (a
   * NATS 2.9 cluster, docs/operations.md). Unset = external when MQTT_URL is set, else embedded.
   */
  BROKER: z.enum(['embedded', 'external', 'nats']).optional(),
  /** `nats` engine: comma-separated `nats://host:port` of the cluster's nodes. */
  NATS_SERVERS: optionalText,
  /** `nats` engine: comma-separated `mqtt://host:port` of the nodes' MQTT listeners. */
  NATS_MQTT_SERVERS: optionalText,
  /** `nats` engine: nkey seeds of the operator (re-signs the account JWT) and of the two accounts. */
  NATS_OPERATOR_SEED: optionalText,
  NATS_ACCOUNT_SEED: optionalText,
  NATS_SYSTEM_ACCOUNT_SEED: optionalText,
  /**
   * The origin commuters' browsers reach the console at (`https://wallet.example.com`): wallet passkeys
   * are bound to its host name (the WebAuthn RP id) and accepted only from it. Unset = http://localhost
   * on the listening port, which browsers treat as secure for development.
   */
  REDTAP_PUBLIC_ORIGIN: z
    .url({ protocol: /^https?$/ })
    .optional()
    .transform((value) => (value === undefined ? undefined : new URL(value).origin)),
  REDTAP_TOPIC_ROOT: z.string().min(1).max(100).default('redtap/v1'),
  /** HS256 session secret; unset = generated once and kept in REDTAP_DATA_DIR/secrets.json. */
  REDTAP_JWT_SECRET: z.string().min(32).optional(),
  /** Key-encryption key for issuer private keys (64 hex chars); unset = kept in secrets.json. */
  REDTAP_ISSUER_KEY_SECRET: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/)
    .optional(),
  REDTAP_SESSION_TTL_S: z.coerce.number().int().min(60).max(86_400).default(3_600),
  REDTAP_CREDENTIAL_TTL_S: z.coerce
    .number()
    .int()
    .min(3_600)
    .max(5 * 365 * 86_400)
    .default(180 * 86_400),
  REDTAP_TIMEZONE: z.string().default('Asia/Shanghai'),
  REDTAP_OPERATOR_EMAIL: optionalText,
  REDTAP_OPERATOR_PASSWORD: optionalText,
  /** Trust X-Forwarded-For for rate limiting; only behind a proxy that sets it. */
  REDTAP_TRUST_PROXY: flag,
  /** Worker threads for P-256 verification in redemption; 0 = on the main thread, in slices. */
  // Signature verification runs on this many worker threads, off the thread that drives the database
  // and MQTT (docs/benchmarks.md, redeem); 0 verifies inline.
  REDTAP_VERIFY_THREADS: z.coerce.number().int().min(0).max(16).default(2),
  /**
   * Bearer token a Prometheus scraper sends to read /metrics (operators' sessions always can); unset =
   * operators only. At least 32 characters, since it is a password.
   */
  REDTAP_METRICS_TOKEN: z
    .string()
    .min(32)
    .max(4096)
    .regex(/^[A-Za-z0-9._-]+$/)
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof EnvSchema>;

/** `overrides` (e.g. CLI flags) win over the environment; undefined values are ignored. */
export function loadEnv(
  source: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof Env, string | undefined>> = {},
): Env {
  const merged: NodeJS.ProcessEnv = { ...source };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  const parsed = EnvSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

const TestEnvSchema = z.object({
  CI: flag,
  /** Admin connection for the test suites, which create and drop their own databases. */
  REDTAP_TEST_POSTGRES_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
  REDTAP_TEST_MQTT_URL: z.string().default('mqtt://127.0.0.1:1883'),
  /** pino level for the app under test; `silent` keeps test output readable. */
  REDTAP_TEST_LOG: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('silent'),
});

export type TestEnv = z.infer<typeof TestEnvSchema>;

export function loadTestEnv(source: NodeJS.ProcessEnv = process.env): TestEnv {
  return TestEnvSchema.parse(source);
}
