// Builds the web console (operators, advertisers, wallet) into cloud/dist/console. Absolute asset URLs
// (`/assets/…`) because the cloud serves deep links such as /operator/screens from the same index.html.
// The wallet is also an installable web app: a manifest (lib/wallet-app.ts) whose scope holds the wallet
// and the claim URLs, and a service worker for /wallet that keeps the app shell for an offline start (it
// never caches the API; see docs/architecture.md).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { walletManifest } from './src/lib/wallet-app.ts';

/** The wallet's part of the site: what its service worker controls (lib/service-worker.ts). */
const WALLET_SCOPE = '/wallet';

export default defineConfig({
  root: fileURLToPath(new URL('./', import.meta.url)),
  base: '/',
  plugins: [
    react(),
    VitePWA({
      // The wallet page registers the worker itself, with the wallet's scope (lib/service-worker.ts).
      injectRegister: false,
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      scope: WALLET_SCOPE,
      // The icons are drawn from public/icons/wallet.svg (512 and 192 px PNGs, committed).
      includeAssets: ['favicon.svg'],
      // Scoped to the whole origin, so the installed app opens claim URLs too (lib/wallet-app.ts).
      manifest: walletManifest,
      workbox: {
        // The app shell only: the built scripts, styles, fonts and icons, and index.html for navigations.
        globPatterns: ['**/*.{js,css,html,svg,png,woff2}'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        navigateFallback: '/index.html',
        navigateFallbackAllowlist: [/^\/wallet(\/|$)/],
        // Never the API: no runtime caching at all, and API paths are never answered with the shell.
        navigateFallbackDenylist: [/^\/v1\//],
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        // A new build's worker takes over at once, so an installed wallet never runs an old shell for long.
        skipWaiting: true,
        clientsClaim: true,
      },
    }),
  ],
  build: {
    outDir: fileURLToPath(new URL('../dist/console/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:8787' } },
});
