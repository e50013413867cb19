import { describe, expect, it } from 'vitest';
import { campaign } from '../../test/fixtures.ts';
import { campaignOrder, chooseCampaign } from './campaign-choice.ts';

const campaigns = [1, 2, 3].map((campaignId) => campaign({ campaignId }));
const ids = (list: { campaignId: number }[]) => list.map((c) => c.campaignId);

describe('campaignOrder', () => {
  it('starts at the showing campaign and wraps in config order', () => {
    expect(ids(campaignOrder(campaigns, 2, 0))).toEqual([2, 3, 1]);
  });

  it('starts at the rotation when nothing configured is showing', () => {
    expect(ids(campaignOrder(campaigns, null, 0))).toEqual([1, 2, 3]);
    expect(ids(campaignOrder(campaigns, 99, 4))).toEqual([2, 3, 1]);
    expect(campaignOrder([], 1, 0)).toEqual([]);
  });
});

describe('chooseCampaign', () => {
  const base = { campaigns, showingCampaignId: 2, rotation: 0, givesCoupon: () => true };

  it('takes the first in order that can pay cash', () => {
    expect(chooseCampaign({ ...base, withDeck: new Set([1, 2]), capped: () => false })?.campaignId).toBe(2);
    expect(chooseCampaign({ ...base, withDeck: new Set([1]), capped: () => false })?.campaignId).toBe(1);
    expect(
      chooseCampaign({ ...base, withDeck: new Set([1, 2, 3]), capped: (c) => c.campaignId !== 1 })
        ?.campaignId,
    ).toBe(1);
  });

  it('falls back to the showing campaign when none can pay', () => {
    expect(chooseCampaign({ ...base, withDeck: new Set(), capped: () => false })?.campaignId).toBe(2);
    expect(chooseCampaign({ ...base, withDeck: new Set([1, 3]), capped: () => true })?.campaignId).toBe(2);
  });

  it('when none can pay, takes the first in order that still gives its coupon', () => {
    const noCash = { ...base, withDeck: new Set<number>(), capped: () => true };
    // Capped on the showing campaign's coupons too: the next one in the order gives its coupon.
    expect(chooseCampaign({ ...noCash, givesCoupon: (c) => c.campaignId !== 2 })?.campaignId).toBe(3);
    expect(chooseCampaign({ ...noCash, givesCoupon: (c) => c.campaignId === 1 })?.campaignId).toBe(1);
    // Nothing gives a coupon either: the showing campaign's thank-you.
    expect(chooseCampaign({ ...noCash, givesCoupon: () => false })?.campaignId).toBe(2);
    // Cash comes first, wherever it is in the order.
    expect(
      chooseCampaign({ ...base, withDeck: new Set([1]), capped: () => false, givesCoupon: () => true })
        ?.campaignId,
    ).toBe(1);
  });

  it('keeps the rotation for default content in the coupon fall-through', () => {
    const noCash = { campaigns, showingCampaignId: null, withDeck: new Set<number>(), capped: () => true };
    const givesCoupon = (c: { campaignId: number }) => c.campaignId !== 1;
    expect(chooseCampaign({ ...noCash, rotation: 0, givesCoupon })?.campaignId).toBe(2);
    expect(chooseCampaign({ ...noCash, rotation: 2, givesCoupon })?.campaignId).toBe(3);
    expect(chooseCampaign({ ...noCash, rotation: 2, givesCoupon: () => false })?.campaignId).toBe(3);
  });
});
