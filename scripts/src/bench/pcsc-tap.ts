// `npm run bench -- pcsc-tap [--taps N]`: full virtual taps through real pcscd + vpcd. Reports the
// time from card present to receipt acknowledged, split between the transport (pcscd/vpcd round
// trips) and our own code (exchange + simulated kiosk: verify credential and signature, sign a token).
import { generateKeyPair } from '@redtap/shared';
import {
  DemoKiosk,
  PcscTapSource,
  VirtualPhone,
  VpcdSlot,
  mintDemoWallet,
  probePcscd,
  vpcdPort,
  waitForTapEvent,
  type ExchangeResult,
} from '@redtap/tap-reader';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { summarize } from '../lib/stats.ts';
import type { BenchReport } from './report.ts';

const READER_NAMES = ['Virtual PCD 00 00', 'Virtual PCD 00 01'] as const;
const TAP_WAIT_MS = 10_000;
const OUR_SHARE_P99_TARGET_MS = 10;

function positiveInteger(value: string): number {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isSafeInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

export async function run(args: string[]): Promise<BenchReport> {
  const options = new Command('pcsc-tap')
    .option('--taps <n>', 'full exchanges to run', positiveInteger, 1000)
    .option('--readers <n>', 'vpcd readers to use at once (1 or 2)', positiveInteger, 2)
    .option('--no-nodelay', 'leave Nagle on for our side of the vpcd socket')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<{ taps: number; readers: number; nodelay: boolean }>();
  if (!(await probePcscd()))
    throw new Error('pcscd is not running: start it with `pcscd` (vpcd driver installed)');

  const issuer = generateKeyPair();
  const kiosk = new DemoKiosk({
    screenId: 7,
    screenKey: generateKeyPair(),
    issuerPublicKey: issuer.publicKey,
  });
  const source = new PcscTapSource({ handler: kiosk });
  const attached = new Set<string>();
  source.on((event) => {
    if (event.type === 'reader.attached') attached.add(event.readerName);
  });
  const readersReady = Promise.all(
    READER_NAMES.map((name) =>
      waitForTapEvent(source, 'reader.attached', (event) => event.readerName === name, 5000),
    ),
  );
  await source.start();
  await readersReady;

  const readerCount = Math.min(options.readers, READER_NAMES.length);
  const results: ExchangeResult[] = [];
  const bar = new cliProgress.SingleBar(
    {
      format: 'pcsc-tap [{bar}] {value}/{total} taps | {eta}s left',
      clearOnComplete: true,
      // Without a terminal (CI, nohup) print a progress line every 5 s instead of redrawing.
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.taps, 0);
  let started = 0;
  const wallStartMs = performance.now();

  const worker = async (index: number): Promise<void> => {
    const readerName = READER_NAMES[index] ?? '';
    const slot = new VpcdSlot({ port: vpcdPort(index), noDelay: options.nodelay });
    const phone = new VirtualPhone({ ...mintDemoWallet(issuer.privateKey, 10_000 + index), online: true });
    while (started < options.taps) {
      started += 1;
      const tap = waitForTapEvent(
        source,
        'tap',
        (event) => event.result.readerName === readerName,
        TAP_WAIT_MS,
      );
      await slot.insert(phone);
      results.push((await tap).result);
      const removed = waitForTapEvent(
        source,
        'card.removed',
        (event) => event.readerName === readerName,
        TAP_WAIT_MS,
      );
      await slot.remove();
      await removed;
      bar.increment();
    }
  };
  try {
    await Promise.all(Array.from({ length: readerCount }, (_, index) => worker(index)));
  } finally {
    bar.stop();
    await source.stop();
  }
  const wallMs = performance.now() - wallStartMs;

  const completed = results.filter((result) => result.outcome === 'completed');
  const total = summarize(completed.map((result) => result.totalMs));
  const transport = summarize(completed.map((result) => result.transportMs));
  const ours = summarize(completed.map((result) => result.totalMs - result.transportMs));
  const handler = summarize(completed.map((result) => result.handlerMs));
  const perApdu = summarize(completed.flatMap((result) => result.apdus.map((apdu) => apdu.durationMs)));
  const failed = results.length - completed.length;
  const outcomes: Record<string, number> = {};
  for (const result of results) {
    const key = `${result.outcome}${result.code === null ? '' : `:${result.code}`}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }

  return {
    name: 'pcsc-tap',
    rows: [
      {
        metric: 'exchanges completed',
        target: `${options.taps}`,
        result: `${completed.length} (${failed} not)`,
        pass: failed === 0,
      },
      {
        metric: 'card present → receipt acked p50 / p95 / p99',
        result: `${ms(total.p50)} / ${ms(total.p95)} / ${ms(total.p99)}`,
      },
      {
        metric: 'transport share p50 / p95 / p99 (3 APDUs via pcscd+vpcd)',
        result: `${ms(transport.p50)} / ${ms(transport.p95)} / ${ms(transport.p99)}`,
      },
      { metric: 'per-APDU round trip p50 / p99', result: `${ms(perApdu.p50)} / ${ms(perApdu.p99)}` },
      {
        metric: 'our code share p50 / p95 / p99',
        target: `p99 ≤ ${OUR_SHARE_P99_TARGET_MS} ms`,
        result: `${ms(ours.p50)} / ${ms(ours.p95)} / ${ms(ours.p99)}`,
        pass: ours.p99 <= OUR_SHARE_P99_TARGET_MS,
      },
      {
        metric: 'of which kiosk handlers p50 / p99 (verify ×2, sign ×1)',
        result: `${ms(handler.p50)} / ${ms(handler.p99)}`,
      },
      {
        metric: 'wall time (incl. pcscd presence polling)',
        result: `${(wallMs / 1000).toFixed(1)} s, ${readerCount} reader(s), nodelay ${options.nodelay}`,
      },
    ],
    data: {
      taps: options.taps,
      readers: readerCount,
      nodelay: options.nodelay,
      total,
      transport,
      ours,
      handler,
      perApdu,
      outcomes,
    },
  };
}
