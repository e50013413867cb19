// POST /sim/tap on a real browser host over loopback, against the real engine and simulated reader:
// bring-your-own wallet, named phones registered once, foreign cards, bad requests and a busy reader.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeTapToken,
  encodeCredential,
  exportPrivateKeyPem,
  fromHex,
  signCredential,
  TapFlag,
  toHex,
} from '@redtap/shared';
import { pino } from 'pino';
import { keys, T0, tempDir } from '../../test/fixtures.ts';
import { simulatedKiosk, testPhone } from '../../test/simulated-kiosk.ts';
import { getTap } from '../store/tap-queries.ts';
import { startBrowserHost, type BrowserHost } from './browser-host.ts';
import { KioskUiHub } from './kiosk-ui-hub.ts';
import { isLoopback, simTapRoutes, type SimTapReply } from './sim-tap.ts';

describe('POST /sim/tap', () => {
  let dir: ReturnType<typeof tempDir>;
  let k: ReturnType<typeof simulatedKiosk>;
  let host: BrowserHost;
  let registered: Uint8Array[] = [];
  let walletIds = 500;

  beforeEach(async () => {
    registered = [];
    walletIds = 500;
    dir = tempDir();
    k = simulatedKiosk(dir.dir);
    await k.source.start();
    host = await startBrowserHost({
      kiosk: new KioskUiHub(),
      port: 0,
      rendererDir: dir.dir,
      logger: pino({ enabled: false }),
      extraRoutes: [
        simTapRoutes({
          simulator: k.source,
          logger: pino({ enabled: false }),
          // Plays the cloud's POST /v1/wallets with the fixture issuer.
          registerWallet: (publicKeyRaw) => {
            registered.push(publicKeyRaw);
            const credential = signCredential(
              {
                walletId: ++walletIds,
                credentialSerial: 1,
                phonePublicKey: publicKeyRaw,
                expiresAt: T0 + 86_400,
                issuerKeyId: 1,
              },
              keys.issuer.privateKey,
            );
            return Promise.resolve({ ok: true, credential });
          },
        }),
      ],
    });
  });
  afterEach(async () => {
    await host.close();
    await k.source.stop();
    k.detach();
    k.store.close();
    dir.cleanup();
  });

  const post = async (body: unknown, contentType = 'application/json') => {
    const response = await fetch(`${host.url}sim/tap`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('taps a phone that brings its wallet key and credential', async () => {
    const phone = testPhone(77);
    const reply = await post({
      walletKeyPem: exportPrivateKeyPem(keys.phone.privateKey),
      credential: toHex(encodeCredential(phone.credential)),
    });
    expect(reply.status).toBe(200);
    const result = reply.body as unknown as SimTapReply;
    expect(result).toMatchObject({ outcome: 'completed', committed: true, walletId: 77, code: null });
    expect(result.receipt).toBe(toHex(getTap(k.store, 1)?.token ?? new Uint8Array()));
  });

  it("hands a brought phone its tap log, returns the long receipt's extra, and plays a phone from before it", async () => {
    const phone = testPhone(78);
    const wallet = {
      walletKeyPem: exportPrivateKeyPem(keys.phone.privateKey),
      credential: toHex(encodeCredential(phone.credential)),
    };
    const tapLog = [
      {
        screenId: 7,
        counter: 3,
        ts: T0 - 60,
        campaignId: 99,
        advertiserId: 2,
        cityKey: 5,
        amountFen: 10,
        couponOfferId: 0,
      },
    ];
    const fresh = await post({ ...wallet, taps: tapLog });
    // The fixture config names no city and no advertiser: both are 0 in the long receipt.
    expect(fresh.body).toMatchObject({
      outcome: 'completed',
      committed: true,
      receiptExtra: '0000000000000000',
    });
    const old = await post({ ...wallet, dayState: false });
    expect(old.body).toMatchObject({ outcome: 'completed', committed: true, receiptExtra: null });
    expect(getTap(k.store, 2)?.walletId).toBe(78);
    expect((await post({ ...wallet, taps: [{ ...tapLog[0], ts: -1 }] })).status).toBe(400);
  });

  it('registers a named phone once and taps it again with the same wallet', async () => {
    const first = await post({ phone: 'alice' });
    const again = await post({ phone: 'alice' });
    expect(registered).toHaveLength(1);
    expect(first.body).toMatchObject({ phone: 'alice', outcome: 'completed', walletId: 501 });
    // Same wallet, same day: the local cap gives no second cash packet, but the tap is recorded.
    expect(again.body).toMatchObject({ phone: 'alice', committed: true, walletId: 501 });
    expect(getTap(k.store, 2)?.amountFen).toBe(0);
    const leaving = await post({ phone: 'bob', behaviour: 'leave-after-hello' });
    expect(leaving.body).toMatchObject({ outcome: 'aborted', committed: false, receipt: null });
  });

  it('sends the phone-online flag in the token when the tap says the phone is online', async () => {
    const flagsOf = (reply: { body: Record<string, unknown> }): number => {
      const receipt = (reply.body as unknown as SimTapReply).receipt;
      const decoded = decodeTapToken(fromHex(receipt ?? '') ?? new Uint8Array());
      if (!decoded.ok) throw new Error('the receipt is no tap token');
      return decoded.value.flags & TapFlag.phoneOnline;
    };
    // A new phone and a known one alike: each presentation's HELLO says what this tap asked for.
    expect(flagsOf(await post({ phone: 'dora', online: true }))).toBe(TapFlag.phoneOnline);
    expect(flagsOf(await post({ phone: 'dora', online: false }))).toBe(0);
    expect(flagsOf(await post({ phone: 'dora', online: true }))).toBe(TapFlag.phoneOnline);
  });

  it('presents foreign cards as unsupported', async () => {
    expect((await post({ card: 'bank-card' })).body).toMatchObject({
      outcome: 'ignored',
      code: 'APDU_NOT_REDTAP',
    });
    expect((await post({ card: 'tag' })).body).toMatchObject({
      outcome: 'ignored',
      code: 'CARD_NOT_ISO_DEP',
    });
    expect(registered).toHaveLength(0);
  });

  it('refuses bad requests and a busy reader without tapping', async () => {
    expect((await post('{"card":"phone"}', 'text/plain')).status).toBe(400);
    expect((await post('not json')).status).toBe(400);
    expect((await post({ behaviour: 'explode' })).status).toBe(400);
    expect((await post({ credential: 'ab'.repeat(147) })).status).toBe(400);
    expect((await post({ walletKeyPem: 'nope', credential: 'ab'.repeat(147) })).status).toBe(400);
    expect((await post({ readerName: 'No Such Reader' })).status).toBe(400);
    const slow = k.source.present(testPhone(90, { kind: 'slow', delayMs: 200 }), 'Reader A');
    const busy = await post({ phone: 'carol' });
    expect(busy).toMatchObject({ status: 409, body: { error: { code: 'SIM_READER_BUSY' } } });
    await slow;
    k.source.remove('Reader A');
  });

  it('answers loopback callers only', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.2'])
      expect(isLoopback(address)).toBe(true);
    for (const address of ['10.0.0.5', '::ffff:192.168.1.2', '', undefined])
      expect(isLoopback(address)).toBe(false);
  });
});
