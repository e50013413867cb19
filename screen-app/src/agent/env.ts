// The kiosk's configuration from the environment, read and validated once. Nothing else reads process.env.
import { z } from 'zod';
import { UiLocale } from '../ui-api/channels.ts';
import { READER_CHOICES } from './reader-source.ts';
import { READER_TAG_SETTINGS } from './reader-tag.ts';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));
const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1');
const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const EnvSchema = z.object({
  /** Store, screen key and content cache of this kiosk. */
  REDTAP_KIOSK_DATA_DIR: z.string().min(1).default('.redtap/kiosk'),
  /** The cloud's HTTP base URL; enrolment remembers it, so `run` rarely needs it. */
  REDTAP_CLOUD_URL: optionalText,
  LOG_LEVEL: LogLevel.default('info'),
  /** Where taps come from: the PC/SC reader, the in-process simulated reader, or none (headless). */
  REDTAP_READER: z.enum(READER_CHOICES).default('pcsc'),
  /** The PC/SC reader taking turns as a Type 4 tag with a claim URL: auto (PN532/ACR122U readers), on, off. */
  REDTAP_READER_TAG: z.enum(READER_TAG_SETTINGS).default('auto'),
  /** Language of the screen UI. */
  REDTAP_LOCALE: UiLocale.default('zh'),
  /** The browser host's address: loopback unless the screen's browser runs on another machine. */
  REDTAP_UI_HOST: z.string().min(1).default('127.0.0.1'),
  /** The browser host's port; 0 picks a free one. */
  REDTAP_UI_PORT: z.coerce.number().int().min(0).max(65_535).default(8710),
});

export type KioskEnv = z.infer<typeof EnvSchema>;

/** `overrides` (CLI flags) win over the environment; undefined values are ignored. */
export function loadKioskEnv(
  source: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof KioskEnv, string | undefined>> = {},
): KioskEnv {
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
  REDTAP_TEST_MQTT_URL: z.string().default('mqtt://127.0.0.1:1883'),
  REDTAP_TEST_LOG: LogLevel.default('silent'),
});

export type KioskTestEnv = z.infer<typeof TestEnvSchema>;

export function loadKioskTestEnv(source: NodeJS.ProcessEnv = process.env): KioskTestEnv {
  return TestEnvSchema.parse(source);
}
