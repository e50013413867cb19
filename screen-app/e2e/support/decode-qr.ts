// Reads a QR code back from a screenshot, as a phone's camera would, with the decoder that qr-scanner
// ships for its web worker (a jsQR port). It runs in a blank page of the test's Chromium, so the PNG is
// decoded by the browser and nothing but the text comes back.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser } from '@playwright/test';

let workerTemplate: string | null = null;

/** The worker's source as qr-scanner keeps it: the body of a template literal inside createWorker(). */
function decoderTemplate(): string {
  if (workerTemplate !== null) return workerTemplate;
  const file = createRequire(import.meta.url).resolve('qr-scanner/qr-scanner-worker.min.js');
  const module = readFileSync(file, 'utf8');
  const open = 'new Blob([`';
  const start = module.indexOf(open);
  const end = module.lastIndexOf('`]');
  if (start < 0 || end < start) throw new Error(`${file} has no worker template`);
  workerTemplate = module.slice(start + open.length, end);
  return workerTemplate;
}

/** The text of the QR code in `png`, or null when none is found. */
export async function decodeQr(browser: Browser, png: Uint8Array): Promise<string | null> {
  const page = await browser.newPage();
  try {
    // In the page: evaluating the template literal undoes its escapes and gives the worker's code, which
    // then installs its message handler on a stand-in for the worker's global.
    const expression = `(async () => {
      const worker = { postMessage: (message) => { worker.result = message; } };
      const code = new Function('return \`' + ${JSON.stringify(decoderTemplate())} + '\`;')();
      new Function('self', code)(worker);
      const image = new Image();
      image.src = 'data:image/png;base64,${Buffer.from(png).toString('base64')}';
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
      worker.onmessage({ data: { id: 1, type: 'decode', data: pixels } });
      return worker.result?.data ?? null;
    })()`;
    return await page.evaluate<string | null>(expression);
  } finally {
    await page.close();
  }
}
