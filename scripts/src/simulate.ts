// `npm run simulate -- [--scenario fidelity|load] [--screens N] [--phones N] [--taps N] [--web-phones R]
// [--seed N] [--cloud URL] [--fidelity-strict]`: the whole system at once. An embedded cloud (or --cloud),
// N real kiosk agents in this process with the simulated reader, phones registered as wallets, taps spread
// over the screens (phones take turns in their city, so each taps about as often as the others), screens
// whose link is cut for part of the taps, and a share of phones redeeming their receipts themselves. A
// share of the phones has no app: each signs up a web wallet and claims online (docs/protocol.md §7a) by
// the screen's QR claim ticket or its bezel sticker, some after holding it offline, with a few hostile
// claims (simulator/web-phones.ts). The scenario sets the network (simulator/sim-scenarios.ts):
// `fidelity` (the default) is two cities with travellers and overlapping capped campaigns of two brands;
// `load` an even network sized so that every tap can be credited. Ends with every tap's and claim's
// outcome and what it means, settle latency, the exactly-once, ledger, budget and report checks, and the
// promise-fidelity line: what each screen promised against the cloud's final result.
// `npm run simulate -- --fleet N` is the control-plane fleet simulation instead (fleet/run-fleet.ts): N
// lightweight screens enrolled and connected to a real cloud process and Mosquitto, a campaign over all of
// them, a revocation, memory per screen and the console's fleet summary.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { pino } from 'pino';
import { ENVELOPES_PER_PLAN_MAX, ErrorCode, toHex } from '@redtap/shared';
import { seededRandom } from '@redtap/tap-reader';
import {
  bootstrapOperator,
  checkLedger,
  defaultMoneySettings,
  loadEnv,
  openDatabase,
  startCloud,
  type DatabaseHandle,
  type RunningCloud,
} from '@redtap/cloud';
import { CloudApiError, loginUser, type CloudApi } from './demo/cloud-api.ts';
import { summarize } from './lib/stats.ts';
import { readCampaignSpend, readClaimRows, readCloudResults, tapKey } from './simulator/cloud-results.ts';
import {
  comparePromise,
  fidelityLine,
  fidelityTable,
  summarizeFidelity,
  type CloudResult,
  type FidelityReport,
  type Mismatch,
  type ScreenPromise,
} from './simulator/fidelity.ts';
import { CLOCK_HEADROOM_S, SimKiosk, TAP_SPACING_S, type SettledTap } from './simulator/sim-kiosk.ts';
import {
  createFidelityCampaigns,
  PhoneTurns,
  planTravel,
  SCENARIO_NAMES,
  SCENARIOS,
  type ScenarioName,
} from './simulator/sim-scenarios.ts';
import {
  createSimCampaign,
  enrolSimScreens,
  fleetApi,
  groupSimScreens,
  planSimNetwork,
  registerSimPhones,
  SIM_MEAN_ENVELOPE_FEN,
} from './simulator/sim-world.ts';
import {
  bindSimStickers,
  checkClaims,
  claimOnline,
  claimsByPath,
  readSticker,
  signUpWebPhones,
  stickerClaimKey,
  ticketClaimKey,
  type ClaimBody,
  type ClaimCheck,
  type ClaimKind,
  type ClaimPathName,
  type ClaimRecord,
  type ClaimRow,
  type WebPhone,
} from './simulator/web-phones.ts';

const SETTLE_TIMEOUT_MS = 300_000;
const CONNECT_TIMEOUT_MS = 120_000;
const POLL_MS = 100;
const REDEEM_TIMEOUT_MS = 120_000;
/** A phone that cannot reach the cloud keeps its receipt and tries again: this many tries in all… */
const PHONE_REDEEM_ATTEMPTS = 3;
/** …the n-th retry this many times n later. */
const PHONE_RETRY_AFTER_MS = 2_000;
/** Without a terminal (output to a file), the bars are printed as lines this often. */
const PROGRESS_LINES_EVERY_MS = 15_000;
/** The first decks have all arrived once no kiosk's deck count has changed for this long. */
const DECKS_QUIET_MS = 3_000;
/** How long the kiosks may take to fetch the campaigns' creatives before the taps start anyway. */
const CREATIVES_TIMEOUT_MS = 60_000;
/** Broken promises listed one by one in the JSON report (all are counted). */
const BROKEN_LISTED_MAX = 2_000;
/** By default each web phone claims this many times… */
const CLAIMS_PER_WEB_PHONE = 4;
/** …but no more than this many claims per screen, well inside the cloud's claims per screen per minute. */
const CLAIMS_PER_SCREEN_MAX = 8;
/** Share of web visits that take the screen's QR ticket rather than read its sticker. */
const QR_SHARE = 0.6;

/** What each final outcome means, by ack code (docs/protocol.md §7); limits are the cloud's defaults. */
const money = defaultMoneySettings;
const CODE_MEANINGS: Partial<Record<string, string>> = {
  [ErrorCode.CAP_CAMPAIGN_WALLET]:
    "cap: the wallet already had as many cash packets, or coupons, from this campaign today as the campaign's rules allow",
  [ErrorCode.CAP_ADVERTISER_WALLET]: `cap: the wallet already had ${money.advertiserWalletDailyCashMax} cash packets from this advertiser today`,
  [ErrorCode.CAP_WALLET_DAILY_COUNT]: `cap: the wallet already had ${money.walletDailyCashCountMax} cash packets today`,
  [ErrorCode.CAP_WALLET_DAILY_AMOUNT]: `cap: the wallet already had ${money.walletDailyCashFenMax} fen of cash today`,
  [ErrorCode.FRAUD_TAP_RATE]: `fraud rule: ${money.tapRateWindow} taps on one screen in less than ${money.tapRateWindow * money.tapIntervalMinS} s of kiosk time`,
  [ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL]: `fraud rule: the wallet tapped in another city less than ${money.travelWindowS} s before`,
  [ErrorCode.FRAUD_TOO_MANY_SCREENS]: `fraud rule: the wallet took cash on more than ${money.screensPerWalletPerDayMax} screens today`,
  [ErrorCode.FRAUD_COUNTER_GAP]: `fraud rule: the screen's counter jumped more than ${money.counterGapMax}`,
  [ErrorCode.FRAUD_ENVELOPE_ORDER]: 'fraud rule: the screen drew envelopes out of counter order',
  [ErrorCode.HELD_FOR_REVIEW]: 'held for an operator to review',
  [ErrorCode.CLOCK_SKEW]: "the token's time lies outside the cloud's clock tolerance",
  [ErrorCode.DECK_EXPIRED]: 'the envelope came from a deck past its validity or closed',
  [ErrorCode.ENVELOPE_REUSED]: 'the envelope was redeemed by another tap',
  [ErrorCode.COUPON_OUT_OF_STOCK]: "the fallback coupon's stock left in the campaign's pool was used up",
  [ErrorCode.COUPON_NOT_GRANTED]: 'a coupon no deck granted, outside what a deck-less tap may be given',
};
const PRIZE_MEANINGS: Record<SettledTap['prize'], string> = {
  cash: 'a cash red packet (and the coupon its envelope carries) in the wallet',
  coupon: 'an envelope holding only a coupon, in the wallet',
  'fallback coupon, no deck':
    "the screen had no envelope left (its decks ran dry while it could not ask for more): the campaign's fallback coupon",
  'fallback coupon, local cap':
    "the screen had counted the wallet's cash cap itself: the campaign's fallback coupon instead of cash",
  nothing: 'no envelope and no fallback coupon',
};

const int = (value: string) => {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`not a count: ${value}`);
  return parsed;
};
const ratio = (value: string) => {
  const parsed = Number.parseFloat(value);
  if (!(parsed >= 0 && parsed <= 1)) throw new Error(`not a ratio in [0, 1]: ${value}`);
  return parsed;
};

// `--fleet N` is the control-plane fleet simulation, with options of its own (fleet/fleet-cli.ts).
if (process.argv.some((arg) => arg === '--fleet' || arg.startsWith('--fleet='))) {
  const { runFleetCli } = await import('./fleet/fleet-cli.ts');
  process.exit(await runFleetCli(process.argv.slice(2)));
}

const program = new Command()
  .name('npm run simulate --')
  .description('simulate screens, phones and taps against a cloud, then check the ledger and the promises')
  .option(
    '--scenario <name>',
    `the network: ${SCENARIO_NAMES.map((name) => `${name} (${SCENARIOS[name].description})`).join('; ')}`,
    (value: string) => {
      if (!(SCENARIO_NAMES as readonly string[]).includes(value))
        throw new Error(`no scenario ${value} (${SCENARIO_NAMES.join(', ')})`);
      return value as ScenarioName;
    },
    'fidelity' as ScenarioName,
  )
  .option('--screens <n>', "kiosks (default: the scenario's)", int)
  .option('--phones <n>', 'phones registered as wallets', int)
  .option('--taps <n>', 'taps in all', int)
  .option('--offline-ratio <r>', 'share of screens whose link is cut for part of the taps', ratio)
  .option(
    '--phone-redeem-ratio <r>',
    'share of receipts the phone also redeems itself (POST /v1/redeem)',
    ratio,
    0.2,
  )
  .option(
    '--old-phone-ratio <r>',
    'share of phones from before the day state (GET DAY STATE answered 6D 00): the kiosk judges them on what it knows',
    ratio,
    0,
  )
  .option(
    '--web-phones <r>',
    'share of the phones without the app: each signs up a web wallet and claims online (QR ticket or sticker)',
    ratio,
    0.3,
  )
  .option(
    '--claims <n>',
    `online claims by the web phones, hostile claims apart (default: ${CLAIMS_PER_WEB_PHONE} per web phone, at most ${CLAIMS_PER_SCREEN_MAX} per screen)`,
    int,
  )
  .option(
    '--web-offline-ratio <r>',
    'share of QR scans held offline by the phone and claimed after every tap settled',
    ratio,
    0.25,
  )
  .option(
    '--hostile-ratio <r>',
    'share of claims followed by hostile ones: another wallet posts the ticket or sticker read claimed, or an older read of the sticker; at least one of each',
    ratio,
    0.05,
  )
  .option('--concurrency <n>', 'screens tapped at the same time', int)
  .option('--rate <n>', 'taps per second offered, all screens together (0 = as fast as they go)', int)
  .option('--seed <n>', 'seed of the tap pattern', int, 1)
  .option(
    '--fidelity-strict',
    'exit 1 when a screen firmly promised a prize the cloud did not give (default: on under tests and CI)',
  )
  .option('--no-fidelity-strict', 'report promise mismatches without failing')
  .option(
    '--cloud <url>',
    'an existing cloud instead of an embedded one (needs --operator-email/--operator-password)',
  )
  .option('--operator-email <email>', 'operator login for --cloud', process.env.REDTAP_OPERATOR_EMAIL)
  .option(
    '--operator-password <password>',
    'operator password for --cloud',
    process.env.REDTAP_OPERATOR_PASSWORD,
  )
  .option(
    '--database-url <url>',
    "with --cloud: its PostgreSQL, read for each tap's final result (promise fidelity)",
  )
  .parse(process.argv);
const given = program.opts<{
  scenario: ScenarioName;
  screens?: number;
  phones?: number;
  taps?: number;
  offlineRatio?: number;
  phoneRedeemRatio: number;
  oldPhoneRatio: number;
  webPhones: number;
  claims?: number;
  webOfflineRatio: number;
  hostileRatio: number;
  concurrency?: number;
  rate?: number;
  seed: number;
  fidelityStrict?: boolean;
  cloud?: string;
  operatorEmail?: string;
  operatorPassword?: string;
  databaseUrl?: string;
}>();
const preset = SCENARIOS[given.scenario];
const options = {
  ...given,
  screens: given.screens ?? preset.screens,
  phones: given.phones ?? preset.phones,
  taps: given.taps ?? preset.taps,
  offlineRatio: given.offlineRatio ?? preset.offlineRatio,
  concurrency: given.concurrency ?? preset.concurrency,
  rate: given.rate ?? preset.rate,
  // Tests (vitest sets VITEST in its workers and their children) and CI fail on a broken promise.
  fidelityStrict: given.fidelityStrict ?? (process.env.VITEST !== undefined || process.env.CI === 'true'),
};

if (options.screens < 1 || options.phones < 1) throw new Error('--screens and --phones must be at least 1');
const webPhoneCount = Math.min(options.phones - 1, Math.round(options.phones * options.webPhones));
const appPhoneCount = options.phones - webPhoneCount;
const claimCount =
  webPhoneCount === 0
    ? 0
    : (options.claims ??
      Math.min(webPhoneCount * CLAIMS_PER_WEB_PHONE, options.screens * CLAIMS_PER_SCREEN_MAX));
const random = seededRandom(options.seed);
// The web phones draw from their own sequence, so the app phones' taps are the same with or without them.
const webRandom = seededRandom(options.seed + 0x5eb);
const workDir = mkdtempSync(join(tmpdir(), 'redtap-simulate-'));
const startedAtMs = performance.now();
const log = (message: string) => console.log(`[simulate] ${message}`);

async function waitUntil(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

interface Answer {
  status: string;
  code: string | null;
}

/** The phone's own route: POST /v1/redeem with its stored receipt, retried when the request fails. */
async function redeemFromPhone(api: CloudApi, token: string): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    try {
      const reply = await api.call<{ status: string; code?: string }>('POST', '/v1/redeem', {
        body: { token },
      });
      return { status: reply.status, code: reply.code ?? null };
    } catch (error) {
      // An HTTP answer is final; a request that failed on the way may be tried again.
      if (error instanceof CloudApiError || attempt >= PHONE_REDEEM_ATTEMPTS) {
        const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
        const message = error instanceof Error ? error.message : String(error);
        const detail = typeof cause?.code === 'string' ? `${message} (${cause.code})` : message;
        return { status: 'error', code: detail.slice(0, 80) };
      }
      await new Promise((resolve) => setTimeout(resolve, PHONE_RETRY_AFTER_MS * attempt));
    }
  }
}

/**
 * The answer that decided a tap: the kiosk's ack, or, when that is a duplicate, the phone's own
 * redemption that settled first. A duplicate ack carries the first copy's result too (no code when
 * credited), which stands in when the phone's answer is unknown.
 */
function decidingAnswer(tap: SettledTap, phone: Answer | undefined): Answer {
  if (tap.status !== 'duplicate') return tap;
  if (phone !== undefined && ['credited', 'held', 'rejected'].includes(phone.status)) return phone;
  if (tap.code === null) return { status: 'credited', code: null };
  return { status: tap.code === ErrorCode.HELD_FOR_REVIEW ? 'held' : 'rejected', code: tap.code };
}

/** Counted outcomes with what each means, widest first, as aligned text lines. */
function outcomeLines(counts: Map<string, { n: number; meaning: string }>, total: number): string {
  const rows = [...counts.entries()].sort((a, b) => b[1].n - a[1].n);
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  const countWidth = Math.max(0, ...rows.map(([, { n }]) => n.toLocaleString('en').length));
  return rows
    .map(([key, { n, meaning }]) => {
      const share = total === 0 ? '' : `${((n / total) * 100).toFixed(2).padStart(6)} %`;
      return `  ${key.padEnd(width)}  ${n.toLocaleString('en').padStart(countWidth)}  ${share}  ${meaning}`;
    })
    .join('\n');
}

function count(
  counts: Map<string, { n: number; meaning: string }>,
  key: string,
  meaning: string,
  by = 1,
): void {
  const entry = counts.get(key);
  if (entry === undefined) counts.set(key, { n: by, meaning });
  else entry.n += by;
}

let cloud: RunningCloud | null = null;
const kiosks: SimKiosk[] = [];
let exitCode = 0;
try {
  let api: CloudApi;
  let operator: string;
  // With --cloud, kiosks use the broker their enrolment named.
  let brokerUrl: string | undefined;
  if (options.cloud === undefined) {
    const operatorLogin = { email: 'simulator@redtap.local', password: 'simulator-operator-password' };
    cloud = await startCloud(
      loadEnv(process.env, {
        PORT: '0',
        MQTT_PORT: '0',
        REDTAP_DATA_DIR: join(workDir, 'cloud'),
        REDTAP_TRUST_PROXY: 'true',
        DATABASE_URL: process.env.DATABASE_URL,
        LOG_LEVEL: 'error',
      }),
      pino({ level: 'error' }),
    );
    await bootstrapOperator(cloud.database, operatorLogin, pino({ level: 'error' }));
    api = fleetApi(cloud.httpUrl);
    operator = await loginUser(api, operatorLogin.email, operatorLogin.password);
    brokerUrl = cloud.mqttUrl;
    log(`embedded cloud ${cloud.httpUrl} (${cloud.database.engine}), broker ${brokerUrl}`);
  } else {
    if (options.operatorEmail === undefined || options.operatorPassword === undefined)
      throw new Error('--cloud needs --operator-email and --operator-password');
    api = fleetApi(options.cloud);
    operator = await loginUser(api, options.operatorEmail, options.operatorPassword);
  }

  const tapsPerScreenS = (options.taps / options.screens) * TAP_SPACING_S;
  const tapPhaseS = options.rate > 0 ? options.taps / options.rate : 0;
  if (options.rate > 0 && tapsPerScreenS > tapPhaseS + CLOCK_HEADROOM_S)
    log(
      `note: ${options.taps} taps on ${options.screens} screens take ${tapsPerScreenS.toFixed(0)} s of kiosk time per screen at one every ${TAP_SPACING_S} s, more than the ${tapPhaseS.toFixed(0)} s at --rate ${options.rate} allow; expect FRAUD_TAP_RATE holds (lower --rate or add screens)`,
    );

  // A phone waits as long as it takes while the cloud works through a rush (the queue is shared).
  const redeemApi = fleetApi(api.baseUrl, REDEEM_TIMEOUT_MS);
  const bars = new cliProgress.MultiBar(
    {
      format: '{task} [{bar}] {value}/{total} {extra}',
      hideCursor: true,
      clearOnComplete: false,
      // Written to a file, the bars become a line each so often instead of nothing at all.
      noTTYOutput: !process.stdout.isTTY,
      notTTYSchedule: PROGRESS_LINES_EVERY_MS,
    },
    cliProgress.Presets.shades_classic,
  );
  const setupTotal = 2 * options.screens + options.phones;
  const setupBar = bars.create(setupTotal, 0, { task: 'setup    ', extra: 'screens' });
  const screens = await enrolSimScreens(
    api,
    operator,
    options.screens,
    workDir,
    () => setupBar.increment(),
    preset.cities,
  );
  setupBar.update({ extra: 'phones' });
  const phones = await registerSimPhones(api, appPhoneCount, () => setupBar.increment(), preset.cities);
  setupBar.update({ extra: 'web phones' });
  const webSignUp = await signUpWebPhones(api, webPhoneCount, preset.cities, () => setupBar.increment());
  const webPhones: WebPhone[] = webSignUp.phones;
  if (webSignUp.passkeyRefusal !== null)
    log(`note: a passkey sign-up was refused (${webSignUp.passkeyRefusal}); web phones use phone keys`);
  // A seeded share of phones predates the day state.
  if (options.oldPhoneRatio > 0)
    for (const phone of phones) if (random.next() < options.oldPhoneRatio) phone.dayState = false;
  const oldPhones = phones.filter((phone) => phone.dayState === false).length;

  const settled: SettledTap[] = [];
  const settledOffline: SettledTap[] = [];
  setupBar.update({ extra: 'kiosks' });
  for (const screen of screens) {
    const kiosk: SimKiosk = await SimKiosk.start({
      screen,
      ...(brokerUrl === undefined ? {} : { brokerUrl }),
      onSettled: (tap) => {
        (kiosk.offlineTapped ? settledOffline : settled).push(tap);
      },
    });
    kiosks.push(kiosk);
    setupBar.increment();
  }
  setupBar.update({ extra: 'waiting for every kiosk to connect' });
  await waitUntil(
    () => kiosks.every((kiosk) => kiosk.connected),
    'every kiosk to connect',
    CONNECT_TIMEOUT_MS,
  );

  setupBar.update({ extra: 'campaigns' });
  let network: string;
  let envelopesInAll = 0;
  /** This run's campaigns. */
  const runCampaignIds: number[] = [];
  if (options.scenario === 'fidelity') {
    const campaigns = await createFidelityCampaigns(api, operator, screens, options.taps, claimCount);
    for (const campaign of campaigns) runCampaignIds.push(campaign.campaignId);
    envelopesInAll = campaigns.reduce((sum, campaign) => sum + campaign.envelopes, 0);
    const brands = new Set(campaigns.map((c) => c.brand)).size;
    network = `${campaigns.length} campaigns of ${brands} brands${campaigns
      .map(
        (c) =>
          `\n    ${c.brand} "${c.name}" (campaign ${c.campaignId}): ${c.screens} screens, ${c.envelopes} envelopes, ${c.rules}`,
      )
      .join('')}`;
  } else {
    const plan = planSimNetwork(options);
    const groupIds = await groupSimScreens(api, operator, screens, plan);
    const groupSizes: number[] = [];
    for (let index = 0; index < plan.campaigns; index++) {
      const groupSize = screens.filter((screen) => plan.campaignOf(screen.index) === index).length;
      const envelopes = Math.min(ENVELOPES_PER_PLAN_MAX, groupSize * plan.envelopesPerScreen);
      const created = await createSimCampaign(api, operator, {
        budgetFen: envelopes * SIM_MEAN_ENVELOPE_FEN,
        envelopes,
        screenGroupIds: groupIds.slice(index, index + 1),
      });
      runCampaignIds.push(created.campaignId);
      groupSizes.push(groupSize);
      envelopesInAll += envelopes;
    }
    const [smallest, largest] = [Math.min(...groupSizes), Math.max(...groupSizes)];
    const groupSpan = smallest === largest ? `${smallest}` : `${smallest}–${largest}`;
    network =
      plan.campaigns === 1
        ? `1 campaign of 1 advertiser on a group of ${groupSpan} screens`
        : `${plan.campaigns} campaigns of ${plan.campaigns} advertisers, each on its own group of ${groupSpan} screens`;
  }
  setupBar.update(setupTotal, { extra: 'waiting for the first decks' });
  await waitUntil(
    () => kiosks.every((kiosk) => kiosk.envelopesLeft() > 0),
    'a deck on every kiosk',
    CONNECT_TIMEOUT_MS,
  );
  // A kiosk asks for a refill as soon as its config names a campaign it holds no deck of, so a second
  // deck is usually on its way: a screen going offline should have it, as a real one would by then.
  let deckCounts = '';
  let quietSinceMs = performance.now();
  await waitUntil(
    () => {
      const counts = kiosks.map((kiosk) => kiosk.openDecks()).join(',');
      if (counts !== deckCounts) [deckCounts, quietSinceMs] = [counts, performance.now()];
      return performance.now() - quietSinceMs >= DECKS_QUIET_MS;
    },
    'the first decks to stop arriving',
    CONNECT_TIMEOUT_MS,
  );
  if (options.scenario === 'fidelity') {
    // The creatives are what names the campaign on screen at a tap: start once every screen plays one.
    setupBar.update({ extra: 'waiting for the creatives' });
    await waitUntil(
      () => kiosks.every((kiosk) => kiosk.showingCampaignId() !== null),
      'every kiosk to play a creative',
      CREATIVES_TIMEOUT_MS,
    ).catch(() => log('note: not every screen plays a creative yet; its taps count on default content'));
  }

  // One bezel sticker per screen, from a batch imported with a key the simulated tags share.
  setupBar.update({ extra: 'stickers' });
  const stickers = webPhoneCount === 0 ? null : await bindSimStickers(api, operator, screens);

  // A seeded pick of screens loses its link for a share of the taps (the first half in `load`, the
  // middle in `fidelity`). The first decks of a screen cover its taps while offline unless the run gives
  // each screen many hundreds; past that it hands out the campaign's fallback coupon, as a real screen would.
  const offlineCount = Math.round(options.screens * options.offlineRatio);
  const shuffled = [...kiosks].sort(() => random.next() - 0.5);
  const offline = new Set(shuffled.slice(0, offlineCount));
  const offlineFromTap = Math.floor(options.taps * preset.offlineFrom);
  const offlineUntilTap = Math.floor(options.taps * preset.offlineUntil);
  for (const kiosk of offline) kiosk.offlineTapped = true;
  const setOffline = (down: boolean) => {
    for (const kiosk of offline) kiosk.setOffline(down);
  };
  if (offlineFromTap === 0) setOffline(true);
  const setupS = (performance.now() - startedAtMs) / 1000;
  setupBar.update({ extra: `done in ${setupS.toFixed(0)} s` });

  // Each city's phones take turns in a seeded order (PhoneTurns); travellers board a train mid-run.
  const turns = new PhoneTurns(phones, random);
  const travel = planTravel(phones, options.taps, preset.travellerShare, random);
  const cities = preset.cities;
  const promises = new Map<string, ScreenPromise>();
  const tapsByScreen = new Map<number, number>();
  /** Each phone's committed taps in the order they were made, for reading a broken promise. */
  const tapsOfPhone = new Map<
    number,
    { order: number; screenId: number; city: string; counter: number; ts: number | null }[]
  >();
  const tapOrder = new Map<string, number>();

  const screenOutcomes = new Map<string, { n: number; meaning: string }>();
  const phoneAnswers = new Map<string, Answer>();
  const tapBar = bars.create(options.taps, 0, { task: 'taps     ', extra: '' });
  const settleBar = bars.create(options.taps, 0, { task: 'settled  ', extra: '' });
  const settleTicker = setInterval(() => {
    settleBar.update(settled.length + settledOffline.length, {
      extra: `backlog ${kiosks.reduce((sum, kiosk) => sum + kiosk.unsettledCount, 0)}`,
    });
  }, 250);

  // Screens are tapped one exchange at a time each; `concurrency` screens at once.
  const busy = new Set<SimKiosk>();
  const tapsStartedAtMs = performance.now();
  let issued = 0;
  let restored = false;
  const redeems: Promise<void>[] = [];
  const worker = async () => {
    while (issued < options.taps) {
      const free = kiosks.filter((kiosk) => !busy.has(kiosk));
      const kiosk = free[Math.floor(random.next() * free.length)];
      const phone = kiosk === undefined ? undefined : turns.take(kiosk.screen.city);
      if (kiosk === undefined || phone === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      busy.add(kiosk);
      issued += 1;
      const tapNumber = issued;
      try {
        // Open-loop pacing: tap n is due n / rate seconds after the start, whatever the cloud's pace.
        // Always through a timer: a tap on the simulated reader may complete without leaving the
        // microtask queue, and a worker behind schedule would otherwise starve the others' timers.
        const dueMs =
          options.rate > 0 ? tapsStartedAtMs + (tapNumber / options.rate) * 1000 - performance.now() : 0;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueMs)));
        if (tapNumber === offlineFromTap && offlineFromTap > 0) setOffline(true);
        if (!restored && tapNumber > offlineUntilTap) {
          restored = true;
          setOffline(false);
        }
        const traveller = travel.get(tapNumber);
        if (traveller !== undefined) {
          const from = turns.city(traveller);
          turns.move(traveller, cities.find((city) => city !== from) ?? from);
        }
        const result = await kiosk.tap(phone);
        const key = result.code === null ? result.outcome : `${result.outcome} ${result.code}`;
        count(
          screenOutcomes,
          key,
          result.committed ? 'committed: receipt on the phone, token in the outbox' : result.message,
        );
        tapsByScreen.set(kiosk.screen.screenId, (tapsByScreen.get(kiosk.screen.screenId) ?? 0) + 1);
        if (result.promise !== null)
          promises.set(tapKey(result.promise.screenId, result.promise.counter), result.promise);
        if (result.counter !== null) {
          const order = tapOrder.size + 1;
          tapOrder.set(tapKey(kiosk.screen.screenId, result.counter), order);
          const { screenId, city } = kiosk.screen;
          const record = { order, screenId, city, counter: result.counter, ts: result.promise?.ts ?? null };
          tapsOfPhone.set(phone.walletId, [...(tapsOfPhone.get(phone.walletId) ?? []), record]);
        }
        if (!result.committed) settleBar.setTotal(Math.max(0, settleBar.getTotal() - 1));
        if (result.receipt !== null && result.counter !== null && random.next() < options.phoneRedeemRatio) {
          const token = toHex(result.receipt);
          const key = tapKey(kiosk.screen.screenId, result.counter);
          redeems.push(
            redeemFromPhone(redeemApi, token).then((answer) => {
              phoneAnswers.set(key, answer);
            }),
          );
          if (redeems.length > 256) await Promise.all(redeems.splice(0));
        }
      } finally {
        busy.delete(kiosk);
        turns.release(phone);
      }
      tapBar.increment();
    }
  };

  // Phones without the app visit a screen of their city between the taps: they scan its QR ticket (the
  // kiosk's own, as it shows now) or read its sticker, and claim at once, or, for a share of the QR
  // scans, hold the ticket offline and claim once every tap settled. A few claims are hostile: another
  // wallet posts a ticket or sticker read already claimed (TICKET_ALREADY_CLAIMED), or an older read of
  // the sticker, harvested before the one claimed (SUN_COUNTER_REPLAYED).
  const claimRecords: ClaimRecord[] = [];
  const takenTickets = new Set<string>();
  const heldClaims: {
    phone: WebPhone;
    screenId: number;
    claimKey: string;
    body: ClaimBody;
    scannedAtMs: number;
  }[] = [];
  const hostile = { ticketAgain: 0, readAgain: 0, olderRead: 0 };
  const claim = async (
    phone: WebPhone,
    what: { path: ClaimPathName; kind: ClaimKind; screenId: number; claimKey: string },
    body: ClaimBody,
    scannedAtMs: number,
  ): Promise<ClaimRecord> => {
    const expected: ClaimRecord['expected'] =
      what.kind === 'second wallet'
        ? ErrorCode.TICKET_ALREADY_CLAIMED
        : what.kind === 'replayed read'
          ? ErrorCode.SUN_COUNTER_REPLAYED
          : 'decided';
    const answer = await claimOnline(redeemApi, phone.token, body);
    const record = {
      walletId: phone.walletId,
      ...what,
      expected,
      answer,
      heldMs: performance.now() - scannedAtMs,
    };
    claimRecords.push(record);
    return record;
  };
  /**
   * Another wallet posts `body` once `record` was decided (so its identity is spent): what `record`
   * claimed (a second wallet), or an older read of the same sticker (a replayed read).
   */
  const hostileClaim = async (
    record: ClaimRecord,
    kind: 'second wallet' | 'replayed read',
    claimKey: string,
    body: ClaimBody,
  ) => {
    const decided = record.answer.status === 'credited' || record.answer.status === 'rejected';
    const others = webPhones.filter((phone) => phone.walletId !== record.walletId);
    const other = others[Math.floor(webRandom.next() * others.length)];
    if (!decided || other === undefined) return;
    if (kind === 'replayed read') hostile.olderRead += 1;
    else if (record.path === 'qr') hostile.ticketAgain += 1;
    else hostile.readAgain += 1;
    await claim(
      other,
      { path: record.path, kind, screenId: record.screenId, claimKey },
      body,
      performance.now(),
    );
  };
  const webVisit = async (visit: number) => {
    const phone = webPhones[visit % webPhones.length];
    if (phone === undefined || stickers === null) return;
    const inCity = kiosks.filter((kiosk) => kiosk.screen.city === phone.city);
    const kiosk = inCity[Math.floor(webRandom.next() * inCity.length)] ?? kiosks[0];
    if (kiosk === undefined) return;
    const screenId = kiosk.screen.screenId;
    const wantsQr = webRandom.next() < QR_SHARE;
    const offlineScan = webRandom.next() < options.webOfflineRatio;
    const copied = webRandom.next() < options.hostileRatio;
    const ticket = kiosk.agent.tickets?.current ?? null;
    const ticketKey = ticket === null ? null : ticketClaimKey(screenId, ticket.ticketSeq);
    // A ticket another simulated phone took already is not scanned again by an honest phone: it reads
    // the sticker instead (the QR turns over once its claim lands, and at least every 10 s).
    if (wantsQr && ticket !== null && ticketKey !== null && !takenTickets.has(ticketKey)) {
      takenTickets.add(ticketKey);
      const body = { ticket: ticket.url };
      if (offlineScan) {
        heldClaims.push({ phone, screenId, claimKey: ticketKey, body, scannedAtMs: performance.now() });
        return;
      }
      const what = { path: 'qr' as const, kind: 'at the screen' as const, screenId, claimKey: ticketKey };
      const record = await claim(phone, what, body, performance.now());
      if (copied || hostile.ticketAgain === 0) await hostileClaim(record, 'second wallet', ticketKey, body);
      return;
    }
    const sticker = stickers.byScreen.get(screenId);
    if (sticker === undefined) return;
    // A hostile visitor read the sticker just before (and kept the URL); the phone's read comes next.
    const hostileHere = copied || hostile.readAgain === 0 || hostile.olderRead === 0;
    const harvested = hostileHere
      ? { body: { sun: readSticker(stickers, sticker) }, claimKey: stickerClaimKey(sticker, sticker.counter) }
      : null;
    const body = { sun: readSticker(stickers, sticker) };
    const claimKey = stickerClaimKey(sticker, sticker.counter);
    const what = { path: 'sticker' as const, kind: 'at the screen' as const, screenId, claimKey };
    const record = await claim(phone, what, body, performance.now());
    if (harvested === null) return;
    await hostileClaim(record, 'second wallet', claimKey, body);
    await hostileClaim(record, 'replayed read', harvested.claimKey, harvested.body);
  };
  const webVisits = async () => {
    for (let visit = 0; visit < claimCount; visit++) {
      // Spread between the taps: visit n comes once n/(claims + 1) of the taps were issued.
      const dueTap = Math.floor(((visit + 1) * options.taps) / (claimCount + 1));
      await waitUntil(() => issued >= dueTap, 'the taps before a web visit', SETTLE_TIMEOUT_MS);
      await webVisit(visit);
    }
  };
  // A failed visit loop is reported after the taps, not left to reject unobserved meanwhile.
  const webDone = webVisits().then(
    () => null,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, options.screens)) }, worker),
  );
  const tapsElapsedS = (performance.now() - tapsStartedAtMs) / 1000;
  setOffline(false);
  await Promise.all(redeems);
  const webFailure = await webDone;
  if (webFailure !== null) throw webFailure;
  const settleStartedAtMs = performance.now();
  await waitUntil(
    () => kiosks.every((kiosk) => kiosk.unsettledCount === 0 && kiosk.backlog() === 0),
    'every committed tap to settle',
    SETTLE_TIMEOUT_MS,
  );
  const settleS = (performance.now() - settleStartedAtMs) / 1000;
  clearInterval(settleTicker);
  settleBar.update(settled.length + settledOffline.length, { extra: 'backlog 0' });
  bars.stop();

  // The phones that scanned offline are back on the network: each claims the ticket it held.
  for (const held of heldClaims)
    await claim(
      held.phone,
      { path: 'qr', kind: 'offline, later', screenId: held.screenId, claimKey: held.claimKey },
      held.body,
      held.scannedAtMs,
    );
  // Each web wallet's balance, as its own page shows it: only claims pay it.
  const webBalances = new Map<number, number>();
  for (const phone of webPhones) {
    const me = await api.call<{ balanceFen: number }>('GET', '/v1/wallets/me', { token: phone.token });
    webBalances.set(phone.walletId, me.balanceFen);
  }

  const ledger =
    cloud === null
      ? await api.call<{
          ok: boolean;
          accounts: number;
          transfers: number;
          totalFen: number;
          negativeAccountIds: number[];
          mismatchedAccountIds: number[];
        }>('GET', '/v1/ledger/check', { token: operator })
      : await checkLedger(cloud.database.db);

  // Each committed tap's promise against the cloud's final result, now that everything settled.
  let fidelity: FidelityReport | null = null;
  /** Every firm tap that broke its promise, in full, for the JSON report. */
  const brokenPromises: {
    promise: ScreenPromise;
    result: CloudResult | null;
    mismatches: Mismatch[];
    phoneSpeaksDayState: boolean;
    /** The phone's two taps before this one, as the simulator made them. */
    phoneTapsBefore: { screenId: number; city: string; counter: number; ts: number | null }[];
    /** Every tap of the same wallet, by tap time: what its screen showed and what the cloud decided. */
    walletTaps: { promise: ScreenPromise; result: CloudResult | null }[];
  }[] = [];
  const withoutDayState = new Set(phones.filter((p) => p.dayState === false).map((p) => p.walletId));
  let fidelityDatabase: DatabaseHandle | null = null;
  /** Read from the cloud's database when it can be (embedded, or --database-url). */
  let claimRows: ClaimRow[] | null = null;
  let campaignSpend: Awaited<ReturnType<typeof readCampaignSpend>> | null = null;
  let redemptionRows: number | null = null;
  try {
    if (cloud === null && options.databaseUrl !== undefined)
      fidelityDatabase = await openDatabase({ engine: 'postgres', url: options.databaseUrl, poolSizeMax: 1 });
    const db = cloud?.database.db ?? fidelityDatabase?.db;
    if (db !== undefined) {
      const results = await readCloudResults(
        db,
        screens.map((screen) => screen.screenId),
      );
      const pairs = [...promises].map(([key, promise]) => ({ promise, result: results.get(key) ?? null }));
      fidelity = summarizeFidelity(pairs);
      redemptionRows = results.size;
      claimRows = await readClaimRows(
        db,
        screens.map((screen) => screen.screenId),
      );
      campaignSpend = await readCampaignSpend(db, runCampaignIds);
      for (const { promise, result } of pairs) {
        const mismatches = comparePromise(promise, result);
        if (
          promise.certainty === 'firm' &&
          mismatches.length > 0 &&
          brokenPromises.length < BROKEN_LISTED_MAX
        )
          brokenPromises.push({
            promise,
            result,
            mismatches,
            phoneSpeaksDayState: !withoutDayState.has(promise.walletId),
            phoneTapsBefore: (tapsOfPhone.get(promise.walletId) ?? [])
              .filter((tap) => tap.order < (tapOrder.get(tapKey(promise.screenId, promise.counter)) ?? 0))
              .slice(-2)
              .map(({ screenId, city, counter, ts }) => ({ screenId, city, counter, ts })),
            walletTaps: pairs
              .filter((pair) => pair.promise.walletId === promise.walletId)
              .sort((a, b) => (a.promise.ts ?? 0) - (b.promise.ts ?? 0)),
          });
      }
    }
  } finally {
    await fidelityDatabase?.close();
  }

  const allSettled = [...settled, ...settledOffline];
  const committed = allSettled.length;
  const outcomes = new Map<string, { n: number; meaning: string }>();
  const kioskAcks = new Map<string, { n: number; meaning: string }>();
  for (const tap of allSettled) {
    const answer = decidingAnswer(tap, phoneAnswers.get(tapKey(tap.screenId, tap.counter)));
    if (answer.status === 'credited') count(outcomes, `credited: ${tap.prize}`, PRIZE_MEANINGS[tap.prize]);
    else
      count(
        outcomes,
        `${answer.status} ${answer.code ?? ''}`.trim(),
        CODE_MEANINGS[answer.code ?? ''] ?? 'see docs/protocol.md §7',
      );
    const ack = tap.code === null ? tap.status : `${tap.status} ${tap.code}`;
    count(
      kioskAcks,
      ack,
      tap.status === 'duplicate'
        ? "the phone's own copy (POST /v1/redeem) settled first; the screen's copy is its duplicate"
        : "the screen's copy settled first",
    );
  }
  // Taps a report counts: credited, or held for review (their money is set aside for the wallet).
  const reportedTaps = allSettled.filter((tap) => {
    const answer = decidingAnswer(tap, phoneAnswers.get(tapKey(tap.screenId, tap.counter)));
    return (
      answer.status === 'credited' || answer.status === 'held' || answer.code === ErrorCode.HELD_FOR_REVIEW
    );
  }).length;

  // Exactly once: every committed tap settled once at its screen and has one redemption row; every claim
  // identity was decided once and recorded once, and each web wallet holds what it was credited.
  const settledOnce = new Set(allSettled.map((tap) => tapKey(tap.screenId, tap.counter))).size;
  const tapsOnce =
    settledOnce === allSettled.length &&
    allSettled.length === tapOrder.size &&
    (redemptionRows === null || redemptionRows === tapOrder.size);
  const claimCheck: ClaimCheck = checkClaims(claimRecords, webBalances, claimRows);
  const budgetsOverspent = (campaignSpend ?? []).filter(
    (campaign) => campaign.tapsFen + campaign.claimsFen > campaign.budgetFen,
  );
  // The advertisers' reports by path, summed over this run's campaigns, against what the run saw.
  const reportByPath = new Map<string, { taps: number; cashFen: number }>();
  for (const campaignId of runCampaignIds) {
    const report = await api.call<{ items: { key: string; taps: number; cashFen: number }[] }>(
      'GET',
      `/v1/reports?by=path&campaignId=${campaignId}`,
      { token: operator },
    );
    for (const item of report.items) {
      const row = reportByPath.get(item.key) ?? { taps: 0, cashFen: 0 };
      reportByPath.set(item.key, { taps: row.taps + item.taps, cashFen: row.cashFen + item.cashFen });
    }
  }
  const claimPaths = claimsByPath(claimRecords);
  const reportMismatches: string[] = [];
  const reportTaps = reportByPath.get('tap')?.taps ?? 0;
  if (reportTaps !== reportedTaps)
    reportMismatches.push(`tap: the report counts ${reportTaps}, the run ${reportedTaps}`);
  for (const path of ['qr', 'sticker'] as const) {
    const seen = claimPaths.get(path) ?? { credited: 0, creditedFen: 0 };
    const reported = reportByPath.get(path) ?? { taps: 0, cashFen: 0 };
    if (reported.taps !== seen.credited || reported.cashFen !== seen.creditedFen)
      reportMismatches.push(
        `${path}: the report counts ${reported.taps} (${reported.cashFen} fen), the run credited ${seen.credited} (${seen.creditedFen} fen)`,
      );
  }
  const readerTagReported = reportByPath.get('reader_tag')?.taps ?? 0;
  if (readerTagReported !== 0)
    reportMismatches.push(`reader_tag: the report counts ${readerTagReported}, the run made none`);

  const phonePath = new Map<string, { n: number; meaning: string }>();
  for (const answer of phoneAnswers.values()) {
    const key = answer.code === null ? answer.status : `${answer.status} ${answer.code}`;
    count(
      phonePath,
      key,
      answer.status === 'duplicate'
        ? "the screen's copy settled first; the phone's is its duplicate"
        : answer.status === 'error'
          ? `the request failed (${PHONE_REDEEM_ATTEMPTS} tries)`
          : "the phone's copy settled first",
    );
  }
  const creditedCash = allSettled.filter(
    (tap) =>
      tap.prize === 'cash' &&
      decidingAnswer(tap, phoneAnswers.get(tapKey(tap.screenId, tap.counter))).status === 'credited',
  ).length;
  const latency = (taps: SettledTap[]) => {
    const s = summarize(taps.map((tap) => tap.latencyMs));
    return s.count === 0
      ? 'none'
      : `n=${s.count}  p50 ${s.p50.toFixed(0)} ms  p95 ${s.p95.toFixed(0)} ms  p99 ${s.p99.toFixed(0)} ms  max ${s.max.toFixed(0)} ms`;
  };
  const clamped = kiosks.reduce((sum, kiosk) => sum + kiosk.clockClamped, 0);
  const totalS = (performance.now() - startedAtMs) / 1000;
  const offlineSpan =
    offlineFromTap === 0 ? 'for the first half' : `from tap ${offlineFromTap} to tap ${offlineUntilTap}`;
  const travellers =
    (oldPhones === 0 ? '' : ` (${oldPhones} without day state)`) +
    (travel.size === 0 ? '' : `, ${travel.size} travelling to the other city`);
  console.log(`
RedTap simulation (${options.scenario}) — ${options.screens} screens in ${cities.join(', ')} (${offlineCount} offline ${offlineSpan}), ${options.phones} phones${travellers}, ${options.taps} taps, seed ${options.seed}
  network (${envelopesInAll.toLocaleString('en')} envelopes funded): ${network}
  setup ${setupS.toFixed(1)} s; taps issued in ${tapsElapsedS.toFixed(1)} s (${(options.taps / tapsElapsedS).toFixed(0)} taps/s); all settled ${settleS.toFixed(1)} s after the last tap
  total run ${totalS.toFixed(1)} s`);
  console.log(`\nTaps at the screen (exchange outcome), ${options.taps} taps:`);
  console.log(outcomeLines(screenOutcomes, options.taps));
  console.log(
    `\nOutcome of each committed tap (the kiosk's ack, or the phone's redemption when that came first), ${committed} taps, ${creditedCash} with cash:`,
  );
  console.log(outcomeLines(outcomes, committed));
  console.log(`\nThe screens' copies, by ack, ${committed} taps:`);
  console.log(outcomeLines(kioskAcks, committed));
  console.log(
    `\nThe phones' copies (POST /v1/redeem, ${(options.phoneRedeemRatio * 100).toFixed(0)} % of receipts), ${phoneAnswers.size} receipts:`,
  );
  console.log(outcomeLines(phonePath, phoneAnswers.size));
  console.log('\nSettle latency, commit → ack:');
  console.log(`  screens online throughout   ${latency(settled)}`);
  console.log(`  screens offline for a while ${latency(settledOffline)}  (includes the offline period)`);
  if (clamped > 0)
    console.log(
      `  note: ${clamped} taps came faster than one every ${TAP_SPACING_S} s of kiosk time on their screen; the cloud's rate rule may hold them`,
    );
  console.log(
    `Ledger check: ${ledger.ok ? 'OK' : 'FAILED'} — ${ledger.accounts} accounts, ${ledger.transfers} transfers, sum ${ledger.totalFen} fen, ${ledger.negativeAccountIds.length} negative, ${ledger.mismatchedAccountIds.length} mismatched`,
  );
  if (!ledger.ok) exitCode = 1;

  const held = claimRecords.filter((record) => record.kind === 'offline, later');
  const heldS = held.map((record) => record.heldMs / 1000);
  console.log(
    `\nOnline claims by ${webPhoneCount} phones without the app (${webSignUp.kind} web wallets, POST /v1/wallet/claims), ${claimRecords.length} claims (${hostile.ticketAgain + hostile.readAgain + hostile.olderRead} hostile, ${held.length} held offline${held.length === 0 ? '' : ` for ${Math.min(...heldS).toFixed(0)}–${Math.max(...heldS).toFixed(0)} s`}):`,
  );
  for (const path of ['qr', 'sticker'] as const) {
    const entry = claimPaths.get(path);
    if (entry === undefined) {
      console.log(`  ${path.padEnd(8)} none`);
      continue;
    }
    const others = [...entry.notCredited].map(([key, n]) => `${key} ${n}`).join(', ');
    console.log(
      `  ${path.padEnd(8)} ${entry.claims} claims: credited ${entry.credited} (${entry.creditedFen} fen)${others === '' ? '' : `; ${others}`}`,
    );
  }
  const hostileRefused = claimRecords.filter(
    (record) => record.expected !== 'decided' && record.answer.code === record.expected,
  ).length;
  console.log(
    `  hostile claims refused as expected: ${hostileRefused}/${hostile.ticketAgain + hostile.readAgain + hostile.olderRead} (claimed again by a second wallet → ${ErrorCode.TICKET_ALREADY_CLAIMED}: ${hostile.ticketAgain} tickets, ${hostile.readAgain} sticker reads; an older sticker read replayed after a later one was claimed → ${ErrorCode.SUN_COUNTER_REPLAYED}: ${hostile.olderRead})`,
  );
  console.log('\nChecks:');
  console.log(
    `  taps exactly once: ${tapsOnce ? 'OK' : 'FAILED'} — ${tapOrder.size} committed, ${allSettled.length} settled (${settledOnce} distinct), ${redemptionRows ?? 'unread'} redemption rows`,
  );
  console.log(
    `  claims exactly once: ${claimCheck.ok ? 'OK' : 'FAILED'} — ${claimCheck.decided} decided once (${claimCheck.credited} credited, ${claimCheck.creditedFen} fen), ${claimRows === null ? 'cloud rows unread' : `${claimRows.length} cloud rows`}, ${webBalances.size} web wallets hold exactly their credited claims`,
  );
  for (const text of claimCheck.problems) console.log(`    ${text}`);
  console.log(
    campaignSpend === null
      ? '  budgets: not measured (with --cloud, pass --database-url)'
      : `  budgets: ${budgetsOverspent.length === 0 ? 'OK' : 'FAILED'} — ${campaignSpend.length} campaigns, none paid more than its funded budget${campaignSpend
          .map(
            (c) =>
              `\n    campaign ${c.campaignId}: taps ${c.tapsFen} + claims ${c.claimsFen} of ${c.budgetFen} fen`,
          )
          .join('')}`,
  );
  console.log(
    `  reports by path: ${reportMismatches.length === 0 ? 'OK' : 'FAILED'} — ${[...reportByPath]
      .map(([key, row]) => `${key} ${row.taps} (${row.cashFen} fen)`)
      .join(', ')}; the run: ${reportedTaps} taps credited or held, ${claimCheck.credited} claims credited`,
  );
  for (const text of reportMismatches) console.log(`    ${text}`);
  if (!tapsOnce || !claimCheck.ok || budgetsOverspent.length > 0 || reportMismatches.length > 0) exitCode = 1;

  console.log('');
  if (fidelity === null)
    console.log(
      "promise-fidelity: not measured (with --cloud, pass --database-url to read the cloud's results)",
    );
  else {
    console.log(fidelityLine(fidelity));
    console.log(fidelityTable(fidelity));
    if (fidelity.mismatches > 0 && options.fidelityStrict) {
      console.log(
        'promise-fidelity: FAILED (--fidelity-strict): screens promised prizes the cloud did not give',
      );
      exitCode = 1;
    }
  }

  mkdirSync('bench-results', { recursive: true });
  const reportFile = join(
    'bench-results',
    `simulate-${options.scenario}-${options.seed}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
  const asObject = (counts: Map<string, { n: number }>) =>
    Object.fromEntries([...counts].map(([key, { n }]) => [key, n]));
  writeFileSync(
    reportFile,
    `${JSON.stringify(
      {
        scenario: options.scenario,
        options: { ...options, operatorPassword: undefined },
        network: network.trim(),
        envelopesInAll,
        offline: { screens: offlineCount, fromTap: offlineFromTap, untilTap: offlineUntilTap },
        travellers: travel.size,
        phonesWithoutDayState: oldPhones,
        tapsByScreen: Object.fromEntries(
          kiosks.map((k) => [
            k.screen.screenId,
            { city: k.screen.city, offline: offline.has(k), taps: tapsByScreen.get(k.screen.screenId) ?? 0 },
          ]),
        ),
        seconds: { setup: setupS, taps: tapsElapsedS, settle: settleS, total: totalS },
        screenOutcomes: asObject(screenOutcomes),
        outcomes: asObject(outcomes),
        kioskAcks: asObject(kioskAcks),
        phoneAnswers: asObject(phonePath),
        webPhones: { count: webPhoneCount, kind: webSignUp.kind },
        claims: Object.fromEntries(
          [...claimPaths].map(([path, entry]) => [
            path,
            { ...entry, notCredited: Object.fromEntries(entry.notCredited) },
          ]),
        ),
        checks: {
          tapsOnce,
          claims: claimCheck,
          budgetsOverspent,
          reportByPath: Object.fromEntries(reportByPath),
          reportMismatches,
        },
        ledger,
        promiseFidelity: fidelity === null ? null : { line: fidelityLine(fidelity), ...fidelity },
        brokenPromises,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`report ${reportFile}`);
} catch (error) {
  console.error(
    `[simulate] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  exitCode = 1;
} finally {
  await Promise.all(kiosks.map((kiosk) => kiosk.stop().catch(() => undefined)));
  await cloud?.stop().catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
