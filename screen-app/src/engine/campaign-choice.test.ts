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
  const base = { campaigns, showingCampaignId: 2, rotation: 0 };

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
});
