// The installed wallet opens claim URLs as its own: the web app manifest's scope (the W3C Manifest's
// "within scope": same origin, and the URL's path starts with the scope's path) holds every claim URL a
// kiosk or a sticker makes (docs/protocol.md §3.8, §9.1) as well as the wallet, and the app keeps its
// identity, so installs made under the old scope update in place.
import { generateKeyPair, signTicket, TicketPath, ticketUrl } from '@redtap/shared';
import { describe, expect, it } from 'vitest';
import { WALLET_PATH, walletManifest } from '../src/lib/wallet-app.ts';

/** The manifest's scope resolved against the manifest's own URL, as a browser does. */
function withinScope(url: string, manifestUrl: string): boolean {
  const scope = new URL(walletManifest.scope, manifestUrl);
  const target = new URL(url);
  return target.origin === scope.origin && target.pathname.startsWith(scope.pathname);
}

const key = generateKeyPair();
function claimUrl(origin: string, path: TicketPath): string {
  const { bytes } = signTicket(
    { screenId: 1001, ticketSeq: 12, ts: 1_795_000_000, campaignId: 7, path, nonce: new Uint8Array(8) },
    key.privateKey,
  );
  return ticketUrl(origin, bytes);
}

describe('the wallet web app manifest', () => {
  for (const origin of ['https://redtap.example', 'https://redtap.example/', 'http://localhost:8787']) {
    it(`holds the ticket and sticker claim URLs and the wallet on ${origin}`, () => {
      const manifestUrl = new URL('/manifest.webmanifest', origin).href;
      const base = origin.replace(/\/+$/, '');
      for (const url of [
        claimUrl(origin, TicketPath.screenQr),
        claimUrl(origin, TicketPath.readerTag),
        `${base}/claim?b=3&p=${'0'.repeat(32)}&c=${'0'.repeat(16)}`,
        `${base}${WALLET_PATH}`,
        new URL(walletManifest.start_url, manifestUrl).href,
      ]) {
        expect(url.startsWith(`${base}/`)).toBe(true);
        expect(withinScope(url, manifestUrl), url).toBe(true);
      }
      // Another origin is never the app's.
      expect(withinScope(claimUrl('https://elsewhere.example', TicketPath.screenQr), manifestUrl)).toBe(
        false,
      );
    });
  }

  it('keeps the installed app’s identity and start', () => {
    expect(walletManifest).toMatchObject({ id: '/wallet', start_url: '/wallet', display: 'standalone' });
    expect(walletManifest.scope).toBe('/');
  });
});
