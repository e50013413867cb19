// Command-line pieces every benchmark shares: the local PostgreSQL and broker they default to, and counts
// written with digit separators (1_000_000) or as comma lists (0,1000000).
import type { Command } from 'commander';

export const BENCH_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_MQTT_URL = 'mqtt://127.0.0.1:1883';

/** `--postgres-url <url>`: the admin connection a benchmark creates its databases with. */
export function withPostgresUrl(command: Command): Command {
  return command.option('--postgres-url <url>', 'admin connection', BENCH_POSTGRES_URL);
}

/** `--mqtt-url <url>`: the broker a benchmark's kiosks and cloud meet on. */
export function withMqttUrl(command: Command): Command {
  return command.option('--mqtt-url <url>', 'broker', BENCH_MQTT_URL);
}

/** A whole number of at least 0, `_` allowed between digits; anything else is refused. */
export function parseCount(text: string): number {
  const value = Number(text.trim().replaceAll('_', ''));
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 0)
    throw new Error(`not a count: ${text}`);
  return value;
}

/** A comma list of counts (empty entries skipped). */
export function parseCounts(text: string): number[] {
  return text
    .split(',')
    .filter((entry) => entry.trim() !== '')
    .map(parseCount);
}
