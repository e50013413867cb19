// Where the kiosk's claim URLs point (docs/protocol.md §3.8, §5.5): the config's publicOrigin, the
// address phones reach the web wallet at, else the cloud HTTP URL the kiosk was enrolled against.
import type { ScreenConfig } from '@redtap/shared';

/** Longer origins would make the QR code too dense to scan from a few metres (and the URL too long for a tag). */
export const CLAIM_ORIGIN_LENGTH_MAX = 256;

/** The origin without trailing slashes, or null when neither candidate is a usable http(s) URL. */
export function claimOrigin(
  config: Pick<ScreenConfig, 'publicOrigin'> | null,
  cloudUrl: string | undefined,
): string | null {
  for (const candidate of [config?.publicOrigin, cloudUrl]) {
    if (candidate === undefined) continue;
    const origin = candidate.trim().replace(/\/+$/, '');
    if (origin.length === 0 || origin.length > CLAIM_ORIGIN_LENGTH_MAX) continue;
    if (!/^https?:\/\/[^\s?#]+$/.test(origin)) continue;
    return origin;
  }
  return null;
}
