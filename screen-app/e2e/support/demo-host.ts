// Manual demo of browser host mode: a real kiosk core (test keys, temporary store, one deck) with the
// simulated reader, served on http://127.0.0.1:<port>/. Type a key and Enter to tap:
//   p = a new wallet (prize)   r = the last wallet again (already grabbed)   l = phone leaves (try again)
//   b = bank card (not supported)   o = toggle online   e = toggle English   q = quit
import { createInterface } from 'node:readline';
import { KioskHarness } from './kiosk-harness.ts';

const port = Number(process.argv[2] ?? 8710);
const kiosk = new KioskHarness();
const url = await kiosk.start(port);
console.log(`screen: ${url}  (keys: p r l b o e q)`);

let walletId = 100;
let online = false;
let english = false;
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const key = line.trim();
  if (key === 'q') break;
  if (key === 'p') walletId += 1;
  const card =
    key === 'p' || key === 'r'
      ? kiosk.phone(walletId)
      : key === 'l'
        ? kiosk.phone(walletId + 1, { kind: 'leave-after-hello' })
        : key === 'b'
          ? KioskHarness.bankCard()
          : null;
  if (key === 'o') {
    online = !online;
    kiosk.hub.setStatus({ online });
  }
  if (key === 'e') {
    english = !english;
    kiosk.hub.setStatus({ locale: english ? 'en' : 'zh' });
  }
  if (card !== null) {
    const result = await kiosk.tap(card);
    console.log(`${result.outcome}${result.code === null ? '' : ` ${result.code}`}`);
  }
}
lines.close();
await kiosk.stop();
