// Wallet passkeys on PGlite and PostgreSQL, with a software authenticator built from node:crypto keys
// (`none` attestation, as we ask for): a passkey signs a wallet up and in again; a replayed challenge,
// another origin or RP id, a key that is not ES256 and a signature counter that does not rise are
// refused; a passkey added to a phone-key wallet signs in to that same wallet with its balance.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import { ErrorCode, toHex } from '@redtap/shared';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { int, queryRows } from '../../src/db/rows.ts';
import { getLedgerAccount } from '../../src/ledger/accounts.ts';
import { openTestDatabase, testEngines } from '../databases.ts';
import {
  createTestCloud,
  json,
  operatorToken,
  signedWalletLogin,
  walletSession,
  type TestCloud,
} from '../harness.ts';
import { buildWorld, makeTap, tiersPlan, type Kiosk } from '../money-world.ts';

const engines = await testEngines();
const ORIGIN = 'https://wallet.redtap.test';
const RP_ID = 'wallet.redtap.test';

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_CREDENTIAL = 0x40;

interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  counter?: number;
}

/** One passkey of a software authenticator: a P-256 key (or an Ed25519 one, to be refused) and its counter. */
class SoftPasskey {
  readonly credentialId = new Uint8Array(randomBytes(16));
  private readonly privateKey: KeyObject;
  private readonly coseKey: Uint8Array;
  counter = 0;

  constructor(algorithm: 'ES256' | 'EdDSA' = 'ES256') {
    if (algorithm === 'ES256') {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = pair.publicKey.export({ format: 'jwk' });
      this.privateKey = pair.privateKey;
      this.coseKey = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 2], // kty: EC2
          [3, -7], // alg: ES256
          [-1, 1], // crv: P-256
          [-2, isoBase64URL.toBuffer(jwk.x ?? '')],
          [-3, isoBase64URL.toBuffer(jwk.y ?? '')],
        ]),
      );
    } else {
      const pair = generateKeyPairSync('ed25519');
      const jwk = pair.publicKey.export({ format: 'jwk' });
      this.privateKey = pair.privateKey;
      this.coseKey = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 1], // kty: OKP
          [3, -8], // alg: EdDSA
          [-1, 6], // crv: Ed25519
          [-2, isoBase64URL.toBuffer(jwk.x ?? '')],
        ]),
      );
    }
  }

  get id(): string {
    return isoBase64URL.fromBuffer(this.credentialId);
  }

  private authenticatorData(rpId: string, flags: number, counter: number, attested: Uint8Array | null) {
    const head = Buffer.alloc(37);
    createHash('sha256').update(rpId).digest().copy(head, 0);
    head.writeUInt8(flags, 32);
    head.writeUInt32BE(counter, 33);
    return new Uint8Array(attested === null ? head : Buffer.concat([head, attested]));
  }

  private clientData(type: string, challenge: string, origin: string): Uint8Array<ArrayBuffer> {
    return new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** `navigator.credentials.create()` answering `options`. */
  create(options: { challenge: string }, overrides: CeremonyOverrides = {}) {
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, this.coseKey]);
    const authData = this.authenticatorData(
      overrides.rpId ?? RP_ID,
      FLAG_USER_PRESENT | FLAG_USER_VERIFIED | FLAG_ATTESTED_CREDENTIAL,
      overrides.counter ?? this.counter,
      attested,
    );
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]) as Parameters<typeof isoCBOR.encode>[0],
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: isoBase64URL.fromBuffer(
          this.clientData('webauthn.create', options.challenge, overrides.origin ?? ORIGIN),
        ),
        attestationObject: isoBase64URL.fromBuffer(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** `navigator.credentials.get()` answering `options`; the counter rises by one unless overridden. */
  get(options: { challenge: string }, overrides: CeremonyOverrides = {}) {
    if (overrides.counter === undefined) this.counter += 1;
    const authData = this.authenticatorData(
      overrides.rpId ?? RP_ID,
      FLAG_USER_PRESENT | FLAG_USER_VERIFIED,
      overrides.counter ?? this.counter,
      null,
    );
    const clientData = this.clientData('webauthn.get', options.challenge, overrides.origin ?? ORIGIN);
    const signed = Buffer.concat([authData, createHash('sha256').update(clientData).digest()]);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: isoBase64URL.fromBuffer(clientData),
        authenticatorData: isoBase64URL.fromBuffer(authData),
        signature: isoBase64URL.fromBuffer(new Uint8Array(sign('sha256', signed, this.privateKey))),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}

function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } }).error?.code;
}

interface WalletSessionReply {
  token: string;
  expiresAt: number;
  walletId: number;
}

describe.each(engines)('wallet passkeys on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine, 6);
    cloud = createTestCloud(handle, { publicOrigin: ORIGIN });
  }, 120_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  async function registrationOptions(token?: string): Promise<{ challenge: string }> {
    const path =
      token === undefined
        ? '/v1/wallets/passkeys/registration-options'
        : '/v1/wallets/me/passkeys/registration-options';
    const response = await cloud.request('POST', path, { token });
    expect(response.status).toBe(200);
    return json<{ challenge: string }>(response);
  }

  async function authenticationOptions(): Promise<{ challenge: string }> {
    const response = await cloud.request('POST', '/v1/wallets/passkeys/authentication-options');
    expect(response.status).toBe(200);
    return json<{ challenge: string }>(response);
  }

  async function signUp(passkey: SoftPasskey, overrides: CeremonyOverrides = {}) {
    const response = passkey.create(await registrationOptions(), overrides);
    return cloud.request('POST', '/v1/wallets/passkeys/registration', {
      body: { response, deviceLabel: 'Test phone' },
    });
  }

  async function signIn(passkey: SoftPasskey, overrides: CeremonyOverrides = {}) {
    const response = passkey.get(await authenticationOptions(), overrides);
    return cloud.request('POST', '/v1/wallets/passkeys/authentication', { body: { response } });
  }

  async function summaryOf(token: string) {
    const response = await cloud.request('GET', '/v1/wallets/me', { token });
    expect(response.status).toBe(200);
    return json<{ walletId: number; balanceFen: number; credentialSerial: number }>(response);
  }

  it.skipIf(!available)('signs a wallet up with a passkey and in again, to the same wallet', async () => {
    const passkey = new SoftPasskey();
    const created = await signUp(passkey);
    expect(created.status).toBe(201);
    const first = await json<WalletSessionReply>(created);
    const summary = await summaryOf(first.token);
    expect(summary).toMatchObject({ walletId: first.walletId, balanceFen: 0, credentialSerial: 0 });

    // A wallet like any other: a cash account owned by it, and no phone key.
    const [row] = await queryRows<{ phone_public_key: string | null; owner_id: unknown }>(
      cloud.deps.db,
      sql`select w.phone_public_key, a.owner_id from wallets w join ledger_accounts a on a.id = w.ledger_account_id
          where w.id = ${first.walletId}`,
    );
    expect(row?.phone_public_key).toBeNull();
    expect(int(row?.owner_id)).toBe(first.walletId);

    const again = await signIn(passkey);
    expect(again.status).toBe(200);
    const second = await json<WalletSessionReply>(again);
    expect(second.walletId).toBe(first.walletId);
    expect((await summaryOf(second.token)).walletId).toBe(first.walletId);

    const listed = await json<{
      items: { credentialId: string; deviceLabel: string; lastUsedAt: string | null }[];
    }>(await cloud.request('GET', '/v1/wallets/me/passkeys', { token: second.token }));
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ credentialId: passkey.id, deviceLabel: 'Test phone' });
    expect(listed.items[0]?.lastUsedAt).not.toBeNull();

    // The phone-key login has nothing to check for it, so it refuses.
    const challenge = await json<{ nonce: string }>(
      await cloud.request('GET', `/v1/wallets/${first.walletId}/login-challenge`),
    );
    const phoneLogin = await cloud.request('POST', `/v1/wallets/${first.walletId}/login`, {
      body: { nonce: challenge.nonce, signature: '00'.repeat(64) },
    });
    expect(phoneLogin.status).toBe(401);
    expect(errorCode(await phoneLogin.json())).toBe(ErrorCode.LOGIN_CHALLENGE_INVALID);

    // Sign-out ends the passkey's sessions too: the same epoch machinery.
    expect((await cloud.request('POST', '/v1/auth/logout', { token: second.token })).status).toBe(200);
    expect((await cloud.request('GET', '/v1/wallets/me', { token: second.token })).status).toBe(401);
  });

  it.skipIf(!available)(
    'remembers the browser a wallet signs up and in with, in a long-lived HttpOnly cookie',
    async () => {
      const created = await signUp(new SoftPasskey());
      expect(created.status).toBe(201);
      const cookie = created.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^redtap_device=[A-Za-z0-9_-]{22};/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Max-Age=34560000/);
      const device = /^redtap_device=([^;]+)/.exec(cookie)?.[1] ?? '';
      const first = await json<WalletSessionReply>(created);
      // Another wallet signing in from the same browser keeps its cookie and is counted on it.
      const other = new SoftPasskey();
      const second = await json<WalletSessionReply>(await signUp(other));
      const signedIn = await cloud.app.request('/v1/wallets/passkeys/authentication', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `redtap_device=${device}` },
        body: JSON.stringify({ response: other.get(await authenticationOptions()) }),
      });
      expect(signedIn.status).toBe(200);
      expect(signedIn.headers.get('set-cookie')).toBeNull();
      const rows = await queryRows<{ wallet_id: unknown }>(
        cloud.deps.db,
        sql`select wallet_id from wallet_devices where device_id = ${device} order by wallet_id`,
      );
      expect(rows.map((row) => int(row.wallet_id))).toEqual([first.walletId, second.walletId]);
    },
  );

  it.skipIf(!available)('refuses a replayed challenge, for sign-up and for sign-in', async () => {
    const passkey = new SoftPasskey();
    const options = await registrationOptions();
    const response = passkey.create(options);
    const first = await cloud.request('POST', '/v1/wallets/passkeys/registration', { body: { response } });
    expect(first.status).toBe(201);
    const replayed = await cloud.request('POST', '/v1/wallets/passkeys/registration', {
      body: { response: new SoftPasskey().create(options) },
    });
    expect(replayed.status).toBe(401);
    expect(errorCode(await replayed.json())).toBe(ErrorCode.PASSKEY_CHALLENGE_INVALID);

    const assertion = passkey.get(await authenticationOptions());
    const signedIn = await cloud.request('POST', '/v1/wallets/passkeys/authentication', {
      body: { response: assertion },
    });
    expect(signedIn.status).toBe(200);
    const again = await cloud.request('POST', '/v1/wallets/passkeys/authentication', {
      body: { response: assertion },
    });
    expect(again.status).toBe(401);
    expect(errorCode(await again.json())).toBe(ErrorCode.PASSKEY_CHALLENGE_INVALID);

    // A sign-in challenge does not sign anyone up, and an expired one signs nobody in.
    const crossed = await cloud.request('POST', '/v1/wallets/passkeys/registration', {
      body: { response: new SoftPasskey().create(await authenticationOptions()) },
    });
    expect(errorCode(await crossed.json())).toBe(ErrorCode.PASSKEY_CHALLENGE_INVALID);
    const stale = await authenticationOptions();
    cloud.clock.nowMs += 6 * 60_000;
    try {
      const expired = await cloud.request('POST', '/v1/wallets/passkeys/authentication', {
        body: { response: passkey.get(stale) },
      });
      expect(errorCode(await expired.json())).toBe(ErrorCode.PASSKEY_CHALLENGE_INVALID);
    } finally {
      cloud.clock.nowMs -= 6 * 60_000;
    }
  });

  it.skipIf(!available)('refuses another origin or RP id, at sign-up and at sign-in', async () => {
    for (const overrides of [
      { origin: 'https://wallet.redtap.test.evil.example' },
      { rpId: 'evil.example' },
    ]) {
      const refused = await signUp(new SoftPasskey(), overrides);
      expect(refused.status).toBe(401);
      expect(errorCode(await refused.json())).toBe(ErrorCode.PASSKEY_INVALID);
    }
    const passkey = new SoftPasskey();
    expect((await signUp(passkey)).status).toBe(201);
    for (const overrides of [{ origin: 'http://wallet.redtap.test' }, { rpId: 'redtap.test' }]) {
      const refused = await signIn(passkey, overrides);
      expect(refused.status).toBe(401);
      expect(errorCode(await refused.json())).toBe(ErrorCode.PASSKEY_INVALID);
    }
  });

  it.skipIf(!available)(
    'refuses a passkey whose key is not ES256, and creates no wallet for it',
    async () => {
      const [before] = await queryRows<{ n: unknown }>(cloud.deps.db, sql`select count(*) as n from wallets`);
      const refused = await signUp(new SoftPasskey('EdDSA'));
      expect(refused.status).toBe(400);
      expect(errorCode(await refused.json())).toBe(ErrorCode.PASSKEY_ALGORITHM_UNSUPPORTED);
      const [after] = await queryRows<{ n: unknown }>(cloud.deps.db, sql`select count(*) as n from wallets`);
      expect(int(after?.n)).toBe(int(before?.n));
    },
  );

  it.skipIf(!available)(
    'refuses a signature counter that does not rise (a cloned authenticator)',
    async () => {
      const passkey = new SoftPasskey();
      expect((await signUp(passkey)).status).toBe(201);
      expect((await signIn(passkey, { counter: 5 })).status).toBe(200);
      for (const counter of [3, 5]) {
        const refused = await signIn(passkey, { counter });
        expect(refused.status).toBe(401);
        expect(errorCode(await refused.json())).toBe(ErrorCode.PASSKEY_COUNTER_REGRESSED);
      }
      expect((await signIn(passkey, { counter: 6 })).status).toBe(200);

      // An authenticator that keeps no counter (always 0) is accepted every time.
      const counterless = new SoftPasskey();
      expect((await signUp(counterless)).status).toBe(201);
      expect((await signIn(counterless, { counter: 0 })).status).toBe(200);
      expect((await signIn(counterless, { counter: 0 })).status).toBe(200);
    },
  );

  it.skipIf(!available)('refuses a passkey it does not know, and one registered twice', async () => {
    const stranger = await signIn(new SoftPasskey());
    expect(stranger.status).toBe(401);
    expect(errorCode(await stranger.json())).toBe(ErrorCode.PASSKEY_UNKNOWN);
    const passkey = new SoftPasskey();
    expect((await signUp(passkey)).status).toBe(201);
    const twice = await signUp(passkey);
    expect(twice.status).toBe(409);
    expect(errorCode(await twice.json())).toBe(ErrorCode.PASSKEY_EXISTS);
  });

  it.skipIf(!available)(
    'adds a passkey to a phone-key wallet; it signs in to the same wallet and balance',
    async () => {
      const world = await buildWorld(cloud, {
        cities: ['Shanghai'],
        plan: tiersPlan(5_000),
        budgetFen: 5_000,
        cashPerWalletPerDay: 5,
        couponStock: 5,
      });
      const kiosk = world.kiosks[0] as Kiosk;
      const phone = await walletSession(cloud);
      const tap = makeTap(
        kiosk,
        { walletId: phone.walletId, serial: 1, key: phone.phone },
        cloud.clock.nowMs,
      );
      const redeemed = await json<{ status: string }>(
        await cloud.request('POST', '/v1/redeem', { token: phone.token, body: { token: toHex(tap) } }),
      );
      expect(redeemed.status).toBe('credited');
      const phoneSummary = await summaryOf(phone.token);
      expect(phoneSummary.balanceFen).toBeGreaterThan(0);

      // Only the signed-in wallet's own challenge adds to it.
      const passkey = new SoftPasskey();
      const unsigned = await cloud.request('POST', '/v1/wallets/me/passkeys/registration-options');
      expect(unsigned.status).toBe(401);
      const foreign = await cloud.request('POST', '/v1/wallets/me/passkeys', {
        token: phone.token,
        body: { response: passkey.create(await registrationOptions()) },
      });
      expect(errorCode(await foreign.json())).toBe(ErrorCode.PASSKEY_CHALLENGE_INVALID);

      const added = await cloud.request('POST', '/v1/wallets/me/passkeys', {
        token: phone.token,
        body: { response: passkey.create(await registrationOptions(phone.token)), deviceLabel: 'Laptop' },
      });
      expect(added.status).toBe(201);
      expect((await json<{ credentialId: string }>(added)).credentialId).toBe(passkey.id);

      const signedIn = await signIn(passkey);
      expect(signedIn.status).toBe(200);
      const session = await json<WalletSessionReply>(signedIn);
      expect(session.walletId).toBe(phone.walletId);
      const passkeySummary = await summaryOf(session.token);
      expect(passkeySummary).toEqual(phoneSummary);
      const [account] = await queryRows<{ id: unknown }>(
        cloud.deps.db,
        sql`select ledger_account_id as id from wallets where id = ${phone.walletId}`,
      );
      expect((await getLedgerAccount(cloud.deps.db, int(account?.id)))?.balanceFen).toBe(
        phoneSummary.balanceFen,
      );

      // The phone key still signs the same wallet in.
      const phoneLogin = await cloud.request('POST', `/v1/wallets/${phone.walletId}/login`, {
        body: await signedWalletLogin(cloud, phone.walletId, phone.phone),
      });
      expect(phoneLogin.status).toBe(200);

      // A revoked wallet's passkey signs nobody in.
      await cloud.deps.db.execute(sql`update wallets set revoked_at = now() where id = ${phone.walletId}`);
      const revoked = await signIn(passkey);
      expect(revoked.status).toBe(403);
      expect(errorCode(await revoked.json())).toBe(ErrorCode.WALLET_REVOKED);
    },
    120_000,
  );

  it.skipIf(!available)('counts passkey sign-ups from one address for operators', async () => {
    const first = await json<WalletSessionReply>(await signUp(new SoftPasskey()));
    const second = await json<WalletSessionReply>(await signUp(new SoftPasskey()));
    const token = await operatorToken(cloud);
    const signalsOf = async (walletId: number) =>
      json<{
        signupIp: string | null;
        walletsFromSignupIp: number;
        walletsSharingPayoutAccount: number;
        walletsPerDevice: number;
      }>(await cloud.request('GET', `/v1/wallets/${walletId}/signals`, { token }));
    const a = await signalsOf(first.walletId);
    const b = await signalsOf(second.walletId);
    expect(b.signupIp).toBe(a.signupIp);
    expect(b.walletsFromSignupIp).toBe(a.walletsFromSignupIp + 1);
    expect(b.walletsSharingPayoutAccount).toBe(0);
    // Each signed up in a browser of its own (no cookie yet): one wallet per browser.
    expect(b.walletsPerDevice).toBe(1);
    const forbidden = await cloud.request('GET', `/v1/wallets/${first.walletId}/signals`, {
      token: first.token,
    });
    expect(forbidden.status).toBe(403);
  });
});
