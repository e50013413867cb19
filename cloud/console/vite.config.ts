// Builds the web console (operators, advertisers, wallet) into cloud/dist/console. Absolute asset URLs
// (`/assets/…`) because the cloud serves deep links such as /operator/screens from the same index.html.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:8787' } },
});
