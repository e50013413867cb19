// Seeds the demo world through the cloud's HTTP API, the way an operator and an advertiser would: an
// advertiser with cash, screens in two cities enrolled as kiosks, and a funded, approved, active campaign
// of lucky cash envelopes with a coupon offer. Idempotent and resumable: progress is kept in demo.json.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { enrollKiosk, describeRefusal, readKioskStatus } from '@redtap/screen-app';
import { z } from 'zod';
import { CLOUD_REQUEST_TIMEOUT_MS, CloudApiError, loginUser, type CloudApi } from './cloud-api.ts';

export const DEMO_SCREENS = [
  { name: 'Jing An Tower · Lift A', city: 'Shanghai', building: 'Jing An Tower', elevator: 'A' },
  { name: 'Lujiazui Center · Lift 3', city: 'Shanghai', building: 'Lujiazui Center', elevator: '3' },
  { name: 'West Lake Plaza · Lift 1', city: 'Hangzhou', building: 'West Lake Plaza', elevator: '1' },
] as const;

/** Client transfer ids (below 2^40) make the two funding calls idempotent across restarts. */
const ADVERTISER_FUNDING_TRANSFER_ID = 9_000_001;
const CAMPAIGN_FUNDING_TRANSFER_ID = 9_000_002;
const CAMPAIGN_BUDGET_FEN = 50_000;
const CAMPAIGN_DAYS = 365;

const Login = z.object({ email: z.string(), password: z.string() });
const DemoState = z.object({
  version: z.literal(1),
  operator: Login,
  advertiser: Login.extend({ id: z.number().int().optional() }),
  campaignId: z.number().int().optional(),
  /** A Tea Co store that accepts the campaign's coupons, with its till key (shown once by the cloud). */
  store: z.object({ id: z.number().int(), tillKey: z.string() }).optional(),
  screens: z.array(
    z.object({
      index: z.number().int(),
      screenId: z.number().int().optional(),
      name: z.string(),
      city: z.string(),
      dataDir: z.string(),
      enrolled: z.boolean().default(false),
    }),
  ),
  complete: z.boolean().default(false),
});
export type DemoState = z.infer<typeof DemoState>;

export function readDemoState(file: string): DemoState | null {
  if (!existsSync(file)) return null;
  const parsed = DemoState.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : null;
}

function save(file: string, state: DemoState): void {
  writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
}

export function newDemoState(kioskDataDir: (index: number) => string): DemoState {
  return {
    version: 1,
    operator: { email: 'operator@redtap.local', password: randomBytes(9).toString('base64url') },
    advertiser: { email: 'advertiser@redtap.local', password: randomBytes(9).toString('base64url') },
    screens: DEMO_SCREENS.map((screen, i) => ({
      index: i + 1,
      name: screen.name,
      city: screen.city,
      dataDir: kioskDataDir(i + 1),
      enrolled: false,
    })),
    complete: false,
  };
}

export interface SeedProgress {
  (step: string): void;
}

/**
 * Runs every step not yet done. The operator must already exist (it is bootstrapped like
 * `redtap-cloud create-operator`, since no API creates the first one).
 */
export async function seedDemo(
  api: CloudApi,
  file: string,
  state: DemoState,
  progress: SeedProgress = () => undefined,
): Promise<DemoState> {
  if (state.complete && state.store !== undefined) return state;
  const operator = await loginUser(api, state.operator.email, state.operator.password);

  if (state.advertiser.id === undefined) {
    try {
      const created = await api.call<{ id: number }>('POST', '/v1/advertisers', {
        token: operator,
        body: { name: 'Tea Co', email: state.advertiser.email, password: state.advertiser.password },
      });
      state.advertiser.id = created.id;
    } catch (error) {
      // Created before a crash, after which demo.json was not written: look it up as the advertiser.
      if (!(error instanceof CloudApiError) || error.status !== 409) throw error;
      const token = await loginUser(api, state.advertiser.email, state.advertiser.password);
      const page = await api.call<{ items: { id: number }[] }>('GET', '/v1/advertisers', { token });
      state.advertiser.id = page.items[0]?.id;
    }
    save(file, state);
    progress(`advertiser ${state.advertiser.email} created`);
  }
  const advertiserId = state.advertiser.id;
  if (advertiserId === undefined) throw new Error('the demo advertiser could not be found');
  await api.call('POST', `/v1/advertisers/${advertiserId}/funding`, {
    token: operator,
    body: { amountFen: CAMPAIGN_BUDGET_FEN * 2, transferId: ADVERTISER_FUNDING_TRANSFER_ID },
  });

  for (const [i, screen] of state.screens.entries()) {
    const spec = DEMO_SCREENS[i];
    if (spec === undefined) continue;
    if (screen.screenId === undefined) {
      const created = await api.call<{ id: number }>('POST', '/v1/screens', {
        token: operator,
        body: { name: spec.name, city: spec.city, building: spec.building, elevator: spec.elevator },
      });
      screen.screenId = created.id;
      save(file, state);
    }
    if (!screen.enrolled) {
      if (readKioskStatus(screen.dataDir, Math.floor(Date.now() / 1000)).screenId !== screen.screenId) {
        const { code } = await api.call<{ code: string }>(
          'POST',
          `/v1/screens/${screen.screenId}/enrolment-codes`,
          { token: operator },
        );
        const enrolled = await enrollKiosk({
          dataDir: screen.dataDir,
          cloudUrl: api.baseUrl,
          code,
          force: true,
        });
        if (!enrolled.ok) throw new Error(`enrolling screen ${screen.index}: ${describeRefusal(enrolled)}`);
      }
      screen.enrolled = true;
      save(file, state);
      progress(
        `screen ${screen.index} (${screen.name}, ${screen.city}) enrolled as screen ${screen.screenId}`,
      );
    }
  }

  const advertiser = await loginUser(api, state.advertiser.email, state.advertiser.password);
  if (state.campaignId === undefined) {
    const nowS = Math.floor(Date.now() / 1000);
    const creative = await uploadDemoCreative(api, advertiser);
    const campaign = await api.call<{ id: number }>('POST', '/v1/campaigns', {
      token: advertiser,
      body: {
        name: 'Spring Tea Red Packets',
        sponsor: 'Tea Co',
        startsAt: nowS - 3_600,
        endsAt: nowS + CAMPAIGN_DAYS * 86_400,
        targeting: { cities: ['Shanghai', 'Hangzhou'], buildings: [], screenGroupIds: [] },
        budgetFen: CAMPAIGN_BUDGET_FEN,
        // Lucky envelopes: the double-mean split, ¥0.01 to ¥8.88, summing to the budget exactly.
        prizePlan: { kind: 'lucky', totalFen: CAMPAIGN_BUDGET_FEN, count: 1_000, minFen: 1, maxFen: 888 },
        couponOffers: [
          {
            title: 'Tea Co · ¥5 off any drink',
            valueFen: 500,
            stock: 500,
            validUntil: nowS + (CAMPAIGN_DAYS + 30) * 86_400,
            validityDays: 14,
            terms: 'One per visit, any Tea Co store',
          },
        ],
        rules: { cashPerWalletPerDay: 10, couponsPerWalletPerDay: 5, fallbackCouponOfferIndex: 0 },
        creatives: [{ sha256: creative, durationMs: 15_000 }],
      },
    });
    state.campaignId = campaign.id;
    save(file, state);
    progress(`campaign ${campaign.id} created`);
  }
  const campaignId = state.campaignId;
  const current = await api.call<{ status: string }>('GET', `/v1/campaigns/${campaignId}`, {
    token: advertiser,
  });
  const transition = (name: string, token: string) =>
    api.call<{ status: string }>('POST', `/v1/campaigns/${campaignId}/transitions`, {
      token,
      body: { transition: name },
    });
  let status = current.status;
  if (status === 'draft') status = (await transition('submit', advertiser)).status;
  if (status === 'submitted') status = (await transition('approve', operator)).status;
  await api.call('POST', `/v1/campaigns/${campaignId}/funding`, {
    token: advertiser,
    body: { amountFen: CAMPAIGN_BUDGET_FEN, transferId: CAMPAIGN_FUNDING_TRANSFER_ID },
  });
  if (status === 'approved') status = (await transition('activate', advertiser)).status;
  if (status !== 'active') throw new Error(`the demo campaign is ${status}, not active`);
  progress(`campaign ${campaignId} funded (¥${CAMPAIGN_BUDGET_FEN / 100}), approved and active`);

  if (state.store === undefined) {
    const merchant = await api.call<{ id: number }>('POST', '/v1/merchants', {
      token: advertiser,
      body: { name: 'Tea Co' },
    });
    const store = await api.call<{ id: number }>('POST', `/v1/merchants/${merchant.id}/stores`, {
      token: advertiser,
      body: { name: 'Tea Co · People’s Square', city: 'Shanghai', address: '120 Nanjing Road (E), Huangpu' },
    });
    const campaign = await api.call<{ couponOffers: { id: number }[] }>(
      'GET',
      `/v1/campaigns/${campaignId}`,
      {
        token: advertiser,
      },
    );
    await api.call('PUT', `/v1/stores/${store.id}/offers`, {
      token: advertiser,
      body: { couponOfferIds: campaign.couponOffers.map((offer) => offer.id) },
    });
    const till = await api.call<{ key: string }>('POST', `/v1/stores/${store.id}/till-keys`, {
      token: advertiser,
      body: {},
    });
    state.store = { id: store.id, tillKey: till.key };
    save(file, state);
    progress(`store ${store.id} accepts the campaign's coupons at the till`);
  }
  state.complete = true;
  save(file, state);
  return state;
}

/** CRC-32 (IEEE) of a PNG chunk's type and data. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * The demo campaign's creative (a campaign plays at least one; the API refuses one without): a 16:10
 * poster shading from red-packet red to deep red, drawn here as a PNG so the demo needs no image file.
 */
export function demoCreativePng(width = 1280, height = 800): Buffer {
  const top = [0xd7, 0x1f, 0x2b];
  const bottom = [0x6e, 0x05, 0x12];
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const t = y / (height - 1);
    const row = Buffer.alloc(1 + width * 3);
    const rgb = top.map((from, i) => Math.round(from + ((bottom[i] ?? from) - from) * t));
    for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** Uploads the demo creative (again on a re-run: the same bytes are stored once) and answers its hash. */
async function uploadDemoCreative(api: CloudApi, token: string): Promise<string> {
  const response = await fetch(`${api.baseUrl}/v1/content`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
    body: demoCreativePng(),
    signal: AbortSignal.timeout(CLOUD_REQUEST_TIMEOUT_MS),
  });
  if (response.status !== 201 && response.status !== 200)
    throw new Error(
      `uploading the demo creative: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`,
    );
  return ((await response.json()) as { sha256: string }).sha256;
}
