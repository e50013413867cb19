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
  const fallingThrough = campaigns.map((c) => ({ ...c, fallThrough: true }));

  it('pays the campaign on screen, whatever another campaign could give', () => {
    // No deck, capped, no coupon: still the campaign on screen (its thank-you), never another brand.
    expect(chooseCampaign({ ...base, withDeck: new Set([1, 3]), capped: () => false })?.campaignId).toBe(2);
    expect(
      chooseCampaign({ ...base, withDeck: new Set([1, 2, 3]), capped: (c) => c.campaignId === 2 })
        ?.campaignId,
    ).toBe(2);
    expect(
      chooseCampaign({
        ...base,
        withDeck: new Set([1, 3]),
        capped: () => false,
        givesCoupon: (c) => c.campaignId !== 2,
      })?.campaignId,
    ).toBe(2);
    // An explicit `fallThrough: false` is the same as leaving it out.
    const explicit = campaigns.map((c) => ({ ...c, fallThrough: false }));
    expect(
      chooseCampaign({ ...base, campaigns: explicit, withDeck: new Set([1]), capped: () => false })
        ?.campaignId,
    ).toBe(2);
  });

  it('falls through only when the campaign on screen says so', () => {
    // Only campaign 2 (on screen) chose fall-through: campaign 1 pays its cash.
    const onlyTwo = campaigns.map((c) => ({ ...c, fallThrough: c.campaignId === 2 }));
    expect(
      chooseCampaign({ ...base, campaigns: onlyTwo, withDeck: new Set([1]), capped: () => false })
        ?.campaignId,
    ).toBe(1);
    // Campaign 1 on screen did not: its own thank-you, though campaign 3 could pay.
    expect(
      chooseCampaign({
        ...base,
        campaigns: onlyTwo,
        showingCampaignId: 1,
        withDeck: new Set([3]),
        capped: () => false,
      })?.campaignId,
    ).toBe(1);
  });

  it('with fall-through, takes the first in order that can pay cash', () => {
    const input = { ...base, campaigns: fallingThrough };
    expect(chooseCampaign({ ...input, withDeck: new Set([1, 2]), capped: () => false })?.campaignId).toBe(2);
    expect(chooseCampaign({ ...input, withDeck: new Set([1]), capped: () => false })?.campaignId).toBe(1);
    expect(
      chooseCampaign({ ...input, withDeck: new Set([1, 2, 3]), capped: (c) => c.campaignId !== 1 })
        ?.campaignId,
    ).toBe(1);
    // None can pay and all give a coupon: the one on screen.
    expect(chooseCampaign({ ...input, withDeck: new Set(), capped: () => false })?.campaignId).toBe(2);
    expect(chooseCampaign({ ...input, withDeck: new Set([1, 3]), capped: () => true })?.campaignId).toBe(2);
  });

  it('with fall-through and no cash anywhere, takes the first in order that still gives its coupon', () => {
    const noCash = { ...base, campaigns: fallingThrough, withDeck: new Set<number>(), capped: () => true };
    expect(chooseCampaign({ ...noCash, givesCoupon: (c) => c.campaignId !== 2 })?.campaignId).toBe(3);
    expect(chooseCampaign({ ...noCash, givesCoupon: (c) => c.campaignId === 1 })?.campaignId).toBe(1);
    // Nothing gives a coupon either: the thank-you of the campaign on screen.
    expect(chooseCampaign({ ...noCash, givesCoupon: () => false })?.campaignId).toBe(2);
  });

  it('keeps the rotation for default content, whatever the campaigns chose', () => {
    const noCash = { campaigns, showingCampaignId: null, withDeck: new Set<number>(), capped: () => true };
    const givesCoupon = (c: { campaignId: number }) => c.campaignId !== 1;
    expect(chooseCampaign({ ...noCash, rotation: 0, givesCoupon })?.campaignId).toBe(2);
    expect(chooseCampaign({ ...noCash, rotation: 2, givesCoupon })?.campaignId).toBe(3);
    expect(chooseCampaign({ ...noCash, rotation: 2, givesCoupon: () => false })?.campaignId).toBe(3);
    // Cash during default content: the first campaign in the rotation that can pay.
    const cash = { ...noCash, capped: () => false, givesCoupon: () => true };
    expect(chooseCampaign({ ...cash, rotation: 1, withDeck: new Set([1, 3]) })?.campaignId).toBe(3);
    // A campaign no longer in the config on screen counts as default content.
    expect(
      chooseCampaign({ ...cash, showingCampaignId: 99, rotation: 0, withDeck: new Set([2]) })?.campaignId,
    ).toBe(2);
  });

  it('never gives a tap to a campaign claimed online only', () => {
    // Campaign 2 is claimed by its QR code only: on screen, the tap gets no campaign at all.
    const qrOnly = campaigns.map((c) => (c.campaignId === 2 ? { ...c, claimPaths: ['qr' as const] } : c));
    const input = { ...base, campaigns: qrOnly, withDeck: new Set([1, 3]), capped: () => false };
    expect(chooseCampaign(input)).toBeUndefined();
    // Choosing fall-through, it lets another pay; and it is never in the order of default content.
    const falling = qrOnly.map((c) => (c.campaignId === 2 ? { ...c, fallThrough: true } : c));
    expect(chooseCampaign({ ...input, campaigns: falling })?.campaignId).toBe(3);
    const none = { ...input, showingCampaignId: null, withDeck: new Set<number>(), givesCoupon: () => false };
    expect(chooseCampaign({ ...none, rotation: 1 })?.campaignId).toBe(3);
    // Every campaign of the config claimed online only: no campaign pays the tap.
    const allQr = campaigns.map((c) => ({ ...c, claimPaths: ['qr' as const, 'sticker' as const] }));
    expect(chooseCampaign({ ...none, campaigns: allQr })).toBeUndefined();
  });
});
