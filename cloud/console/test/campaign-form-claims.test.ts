// The wizard's claim paths and claim reserve: every path (the default) is sent as none, so the campaign
// offers whatever paths come later too; the reserve goes only with an online path, checked against the
// cloud's own bounds; a stored campaign and an older draft come back with them.
import { afterEach, describe, expect, it } from 'vitest';
import { CLAIM_RESERVE_PERCENT_DEFAULT, CLAIM_RESERVE_PERCENT_MAX } from '@redtap/shared/campaign';
import { FieldCode } from '@redtap/shared/field-issues';
import type { Campaign } from '../src/api/types.ts';
import {
  bodyOf,
  checkForm,
  emptyForm,
  formFromCampaign,
  loadDraft,
  type CampaignForm,
} from '../src/lib/campaign-form.ts';

const NOW_S = 1_800_000_000;

function form(rules: Partial<CampaignForm['rules']> = {}): CampaignForm {
  const empty = emptyForm(NOW_S);
  return {
    ...empty,
    name: 'Noon tea',
    sponsor: 'Tea Co',
    cities: ['Shanghai'],
    creatives: [{ sha256: 'a'.repeat(64), mime: 'image/png', bytes: 10, url: 'x', durationS: 15 }],
    rules: { ...empty.rules, ...rules },
  };
}

const rulesOf = (f: CampaignForm) => bodyOf(f, false).rules as Record<string, unknown>;
const issues = (f: CampaignForm) =>
  checkForm(f, { operator: false, nowS: NOW_S }).issues.map((issue) => [issue.path, issue.code]);

describe('the wizard’s claim paths and claim reserve', () => {
  afterEach(() => {
    Reflect.deleteProperty(globalThis, 'localStorage');
  });

  it('starts with every path and the default reserve, sending no paths and the reserve', () => {
    const f = form();
    expect(f.rules.claimPaths).toEqual(['tap', 'qr', 'reader_tag', 'sticker']);
    expect(rulesOf(f)).toMatchObject({ claimReservePercent: CLAIM_RESERVE_PERCENT_DEFAULT });
    expect(rulesOf(f)).not.toHaveProperty('claimPaths');
    expect(issues(f)).toEqual([]);
  });

  it('sends the chosen paths in order, the reserve only with an online path', () => {
    expect(rulesOf(form({ claimPaths: ['sticker', 'qr'], claimReservePercent: 25 }))).toMatchObject({
      claimPaths: ['qr', 'sticker'],
      claimReservePercent: 25,
    });
    const tapOnly = rulesOf(form({ claimPaths: ['tap'], claimReservePercent: 25 }));
    expect(tapOnly).toMatchObject({ claimPaths: ['tap'] });
    expect(tapOnly).not.toHaveProperty('claimReservePercent');
    // An emptied box means the default: nothing is sent.
    expect(rulesOf(form({ claimReservePercent: '' }))).not.toHaveProperty('claimReservePercent');
  });

  it('refuses no path at all and a reserve beyond its bounds on their fields, as the cloud does', () => {
    expect(issues(form({ claimPaths: [] }))).toEqual([['rules.claimPaths', FieldCode.TOO_FEW]]);
    expect(issues(form({ claimReservePercent: CLAIM_RESERVE_PERCENT_MAX + 1 }))).toEqual([
      ['rules.claimReservePercent', FieldCode.TOO_BIG],
    ]);
    expect(issues(form({ claimReservePercent: -1 }))).toEqual([
      ['rules.claimReservePercent', FieldCode.TOO_SMALL],
    ]);
    expect(issues(form({ claimReservePercent: 0 }))).toEqual([]);
  });

  it('reads a stored campaign’s paths and reserve back, the defaults where it has none', () => {
    const stored = {
      ...(checkForm(form(), { operator: false, nowS: NOW_S }).body as object),
      id: 7,
      advertiserId: 3,
      status: 'draft',
      prizePlan: { kind: 'lucky', count: 100, totalFen: 10_000, minFen: 1, maxFen: 1_000 },
      couponOffers: [],
      rules: {
        cashPerWalletPerDay: 1,
        couponsPerWalletPerDay: 1,
        fallbackCouponOfferId: 0,
        claimPaths: ['qr'],
        claimReservePercent: 30,
      },
    } as unknown as Campaign;
    const edited = formFromCampaign(stored, 'edit', (name) => name, NOW_S);
    expect([edited.rules.claimPaths, edited.rules.claimReservePercent]).toEqual([['qr'], 30]);
    const older = {
      ...stored,
      rules: { ...stored.rules, claimPaths: undefined, claimReservePercent: undefined },
    };
    const copied = formFromCampaign(older as unknown as Campaign, 'duplicate', (name) => name, NOW_S);
    expect(copied.rules.claimPaths).toHaveLength(4);
    expect(copied.rules.claimReservePercent).toBe(CLAIM_RESERVE_PERCENT_DEFAULT);
  });

  it('gives a draft saved before these rules their defaults', () => {
    const { claimPaths: _paths, claimReservePercent: _reserve, ...olderRules } = form().rules;
    const stored = new Map([
      ['redtap.campaignDraft.me', JSON.stringify({ form: { ...form(), rules: olderRules }, step: 4 })],
    ]);
    Reflect.set(globalThis, 'localStorage', {
      getItem: (key: string) => stored.get(key) ?? null,
      removeItem: (key: string) => stored.delete(key),
    });
    const draft = loadDraft('me');
    expect(draft?.form.rules.claimPaths).toHaveLength(4);
    expect(draft?.form.rules.claimReservePercent).toBe(CLAIM_RESERVE_PERCENT_DEFAULT);
  });
});
