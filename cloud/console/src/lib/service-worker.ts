// Registers the wallet's service worker (built by vite-plugin-pwa, console/vite.config.ts) for the
// wallet's scope only, so the installed wallet starts offline. It caches the app shell, never the API.
export const WALLET_SW_URL = '/sw.js';
export const WALLET_SW_SCOPE = '/wallet';

/** In a production build, where the worker exists; a browser without service workers just goes without. */
export function registerWalletServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(WALLET_SW_URL, { scope: WALLET_SW_SCOPE }).catch((error: unknown) => {
    console.warn('the wallet service worker did not register', error);
  });
}
