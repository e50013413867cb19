// The wallet as an installed web app: its web app manifest, which vite-plugin-pwa writes to
// manifest.webmanifest (console/vite.config.ts). Data only, so a test can check it against the claim URLs.
import type { ManifestOptions } from 'vite-plugin-pwa';

/** The wallet's page: where the installed app starts, and its identity (`id`), which never changes. */
export const WALLET_PATH = '/wallet';

/**
 * What the installed app opens as its own: the whole origin. Claim URLs are `<origin>/claim?…` (QR and
 * tag tickets, docs/protocol.md §3.8; SUN stickers, §9.1), a wire format kiosks in the field send and
 * stickers carry for good, and a scope is a path prefix, so the only scope holding both `/wallet` and
 * `/claim` is `/`. With it a browser that opens links in installed web apps (Chrome on Android) opens a
 * scanned ticket in the wallet; iOS opens scanned links in Safari whatever the scope. Opening a
 * claim URL only renders the claim page (nothing is claimed until the button is pressed), so the app
 * opening one claims nothing either. The service worker keeps its own, narrower scope (service-worker.ts).
 */
export const WALLET_APP_SCOPE = '/';

export const walletManifest = {
  // The identity of installs made when the scope was /wallet: kept, so they update instead of doubling.
  id: WALLET_PATH,
  name: '红包拍拍 RedTap 钱包',
  short_name: '红包拍拍',
  description: 'Red packets and coupons from RedTap screens: balance, history, coupons and withdrawals.',
  lang: 'zh-CN',
  start_url: WALLET_PATH,
  scope: WALLET_APP_SCOPE,
  display: 'standalone',
  orientation: 'portrait',
  theme_color: '#d9312b',
  background_color: '#f8f9fa',
  icons: [
    { src: '/icons/wallet-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/icons/wallet-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: '/icons/wallet-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
} satisfies Partial<ManifestOptions>;
