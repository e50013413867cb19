// Wallet passkeys (WebAuthn): sign a wallet up or in with a passkey, add one to the signed-in wallet, and
// the multi-account signals operators read. Sessions are the same wallet sessions the phone key gets.
import { z } from '@hono/zod-openapi';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Context } from 'hono';
import { issueSession } from '../../auth/sessions.ts';
import { audit } from '../../services/audit.ts';
import {
  addWalletPasskey,
  DEVICE_LABEL_LENGTH_MAX,
  listWalletPasskeys,
  registerPasskeyWallet,
  relyingPartyOf,
  signInWithPasskey,
  startPasskeyAuthentication,
  startPasskeyRegistration,
  walletSignupSignals,
  type RelyingParty,
  type WalletPasskeyOwner,
} from '../../services/wallet-passkeys.ts';
import { clientIp } from '../client-ip.ts';
import { ensureDeviceCookie } from '../device-cookie.ts';
import { recordWalletDevice } from '../../services/account-signals.ts';
import { assertSignInNotCrossSite } from '../cookies.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, principalOf, walletIdOf } from '../policy.ts';
import { rateLimit } from '../rate-limits.ts';
import { createRouter } from '../router.ts';
import { IdParam, Session } from '../schemas.ts';

/** Without a configured origin (tests that build the app alone), passkeys belong to plain localhost. */
const FALLBACK_ORIGIN = 'http://localhost';
const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/);

// The browser's PublicKeyCredential as JSON (@simplewebauthn/browser), bounded; the library checks the rest.
const RegistrationResponse = z
  .looseObject({
    id: base64url(1366),
    rawId: base64url(1366),
    type: z.literal('public-key'),
    response: z.looseObject({
      clientDataJSON: base64url(4096),
      attestationObject: base64url(16_384),
      transports: z.array(z.string().max(32)).max(8).optional(),
    }),
    clientExtensionResults: z.looseObject({}),
    authenticatorAttachment: z.string().max(32).optional(),
  })
  .openapi('PasskeyRegistrationResponse');

const AuthenticationResponse = z
  .looseObject({
    id: base64url(1366),
    rawId: base64url(1366),
    type: z.literal('public-key'),
    response: z.looseObject({
      clientDataJSON: base64url(4096),
      authenticatorData: base64url(4096),
      signature: base64url(1024),
      userHandle: base64url(1024).optional(),
    }),
    clientExtensionResults: z.looseObject({}),
    authenticatorAttachment: z.string().max(32).optional(),
  })
  .openapi('PasskeyAuthenticationResponse');

const CredentialDescriptor = z.strictObject({
  id: z.string(),
  type: z.literal('public-key'),
  transports: z.array(z.string()).optional(),
});

// What @simplewebauthn/server generates, exactly: the console's generated types follow it, and the API
// tests' reply check fails on a field a later version of the library adds, so it gets declared here.
const CreationOptions = z
  .strictObject({
    challenge: z.string(),
    rp: z.strictObject({ name: z.string(), id: z.string().optional() }),
    user: z.strictObject({ id: z.string(), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.strictObject({ alg: z.number().int(), type: z.literal('public-key') })),
    timeout: z.number().int().optional(),
    excludeCredentials: z.array(CredentialDescriptor).optional(),
    authenticatorSelection: z
      .strictObject({
        authenticatorAttachment: z.string().optional(),
        residentKey: z.string().optional(),
        requireResidentKey: z.boolean().optional(),
        userVerification: z.string().optional(),
      })
      .optional(),
    attestation: z.string().optional(),
    hints: z.array(z.string()).optional(),
    extensions: z
      .strictObject({
        appid: z.string().optional(),
        credProps: z.boolean().optional(),
        hmacCreateSecret: z.boolean().optional(),
        minPinLength: z.boolean().optional(),
      })
      .optional(),
  })
  .openapi('PasskeyCreationOptions', {
    description: 'PublicKeyCredentialCreationOptionsJSON for `navigator.credentials.create()`',
  });

const RequestOptions = z
  .strictObject({
    challenge: z.string(),
    rpId: z.string().optional(),
    timeout: z.number().int().optional(),
    allowCredentials: z.array(CredentialDescriptor).optional(),
    userVerification: z.string().optional(),
    hints: z.array(z.string()).optional(),
    extensions: z
      .strictObject({
        appid: z.string().optional(),
        credProps: z.boolean().optional(),
        hmacCreateSecret: z.boolean().optional(),
        minPinLength: z.boolean().optional(),
      })
      .optional(),
  })
  .openapi('PasskeyRequestOptions', {
    description: 'PublicKeyCredentialRequestOptionsJSON for `navigator.credentials.get()`',
  });

const WalletSession = Session.extend({ walletId: z.number().int() }).openapi('WalletSession');

const RegistrationBody = z.object({
  response: RegistrationResponse,
  deviceLabel: z.string().max(DEVICE_LABEL_LENGTH_MAX).optional(),
});

const Passkey = z.strictObject({
  credentialId: z.string(),
  deviceLabel: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

export function walletPasskeyRoutes(deps: AppDeps) {
  const app = createRouter();
  const sessionKeys = { secret: deps.secrets.jwtSecret, ttlS: deps.settings.sessionTtlS, now: deps.now };
  const limited = rateLimit(deps.settings.loginRateLimit, deps.settings.trustProxy, () =>
    deps.now().getTime(),
  );
  app.use('/v1/wallets/passkeys/*', limited);
  app.use('/v1/wallets/me/passkeys', limited);
  app.use('/v1/wallets/me/passkeys/*', limited);
  // Read per request: the origin is filled in once the server listens on its port (cloud.ts).
  const rp = (): RelyingParty => relyingPartyOf(deps.settings.publicOrigin ?? FALLBACK_ORIGIN);
  // Both ways to start registering a passkey (signing a new wallet up, adding one to the signed-in wallet)
  // answer alike: creation options with a single-use challenge, never cached.
  const creationOptionsReply = {
    description: 'Options',
    content: { 'application/json': { schema: CreationOptions } },
  };
  const creationOptions = (c: Context, owner?: WalletPasskeyOwner) => {
    c.header('Cache-Control', 'no-store');
    return startPasskeyRegistration(deps.db, { rp: rp(), now: deps.now(), owner });
  };

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: '/v1/wallets/passkeys/registration-options',
      tags: ['wallets'],
      summary:
        'Start signing a new wallet up with a passkey: creation options with a single-use challenge (5 min), ES256 only, user verification required',
      responses: {
        200: creationOptionsReply,
        ...errorResponses(429),
      },
    }),
    async (c) => c.json(await creationOptions(c), 200),
  );

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: '/v1/wallets/passkeys/registration',
      tags: ['wallets'],
      summary:
        'Finish the sign-up: a new wallet (with its cash account) owned by the passkey, signed in with a wallet session',
      request: { body: { content: { 'application/json': { schema: RegistrationBody } } } },
      responses: {
        201: { description: 'Signed in', content: { 'application/json': { schema: WalletSession } } },
        ...errorResponses(400, 401, 403, 409, 429),
      },
    }),
    async (c) => {
      assertSignInNotCrossSite(c);
      const body = c.req.valid('json');
      const { principal, credentialId } = await registerPasskeyWallet(deps.db, {
        rp: rp(),
        response: body.response as unknown as RegistrationResponseJSON,
        deviceLabel: body.deviceLabel,
        clientIp: clientIp(c, deps.settings.trustProxy),
        now: deps.now(),
      });
      await audit(deps.db, {
        actor: principal,
        action: 'wallet.signed_up_with_passkey',
        subject: `wallet:${principal.walletId}`,
        detail: { credentialId },
      });
      // The browser signed up with: a multi-account signal for later claims (services/account-signals.ts).
      await recordWalletDevice(deps.db, {
        deviceId: ensureDeviceCookie(c, deps.settings.trustProxy),
        walletId: principal.walletId,
        now: deps.now(),
      });
      const session = await issueSession(principal, sessionKeys);
      return c.json({ ...session, walletId: principal.walletId }, 201);
    },
  );

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: '/v1/wallets/passkeys/authentication-options',
      tags: ['wallets'],
      summary:
        'Start a passkey sign-in: request options with a single-use challenge (5 min), any passkey of ours',
      responses: {
        200: { description: 'Options', content: { 'application/json': { schema: RequestOptions } } },
        ...errorResponses(429),
      },
    }),
    async (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json(await startPasskeyAuthentication(deps.db, { rp: rp(), now: deps.now() }), 200);
    },
  );

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: '/v1/wallets/passkeys/authentication',
      tags: ['wallets'],
      summary:
        "Finish a passkey sign-in: the passkey's wallet gets a wallet session; a signature counter that did not rise is refused",
      request: {
        body: {
          content: { 'application/json': { schema: z.object({ response: AuthenticationResponse }) } },
        },
      },
      responses: {
        200: { description: 'Signed in', content: { 'application/json': { schema: WalletSession } } },
        ...errorResponses(400, 401, 403, 429),
      },
    }),
    async (c) => {
      assertSignInNotCrossSite(c);
      const principal = await signInWithPasskey(deps.db, {
        rp: rp(),
        response: c.req.valid('json').response as unknown as AuthenticationResponseJSON,
        now: deps.now(),
      });
      await recordWalletDevice(deps.db, {
        deviceId: ensureDeviceCookie(c, deps.settings.trustProxy),
        walletId: principal.walletId,
        now: deps.now(),
      });
      const session = await issueSession(principal, sessionKeys);
      return c.json({ ...session, walletId: principal.walletId }, 200);
    },
  );

  app.openapi(
    defineRoute(['wallet'], {
      method: 'get',
      path: '/v1/wallets/me/passkeys',
      tags: ['wallets'],
      summary: "The signed-in wallet's passkeys",
      responses: {
        200: {
          description: 'Passkeys',
          content: { 'application/json': { schema: z.strictObject({ items: z.array(Passkey) }) } },
        },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json({ items: await listWalletPasskeys(deps.db, walletIdOf(c)) }, 200),
  );

  app.openapi(
    defineRoute(['wallet'], {
      method: 'post',
      path: '/v1/wallets/me/passkeys/registration-options',
      tags: ['wallets'],
      summary:
        'Start adding a passkey to the signed-in wallet (e.g. a phone-key wallet that will also sign in on the web)',
      responses: {
        200: creationOptionsReply,
        ...errorResponses(401, 403, 409, 429),
      },
    }),
    async (c) => c.json(await creationOptions(c, { walletId: walletIdOf(c) }), 200),
  );

  app.openapi(
    defineRoute(['wallet'], {
      method: 'post',
      path: '/v1/wallets/me/passkeys',
      tags: ['wallets'],
      summary: 'Finish adding a passkey to the signed-in wallet; it signs the same wallet in from now on',
      request: { body: { content: { 'application/json': { schema: RegistrationBody } } } },
      responses: {
        201: {
          description: 'Added',
          content: {
            'application/json': {
              schema: z.strictObject({ credentialId: z.string(), createdAt: z.string() }),
            },
          },
        },
        ...errorResponses(400, 401, 403, 409, 429),
      },
    }),
    async (c) => {
      const walletId = walletIdOf(c);
      const body = c.req.valid('json');
      const added = await addWalletPasskey(deps.db, {
        rp: rp(),
        walletId,
        response: body.response as unknown as RegistrationResponseJSON,
        deviceLabel: body.deviceLabel,
        now: deps.now(),
      });
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'wallet.passkey_added',
        subject: `wallet:${walletId}`,
        detail: { credentialId: added.credentialId },
      });
      return c.json(added, 201);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/wallets/{id}/signals',
      tags: ['wallets'],
      summary:
        'Multi-account signals for reviewing a wallet: passkey sign-ups from its sign-up address in 24 h, wallets paid to its payout account, and wallets on its browsers',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'Signals',
          content: {
            'application/json': {
              schema: z.strictObject({
                walletId: z.number().int(),
                signupIp: z.string().nullable(),
                walletsFromSignupIp: z.number().int(),
                walletsSharingPayoutAccount: z.number().int(),
                walletsPerDevice: z.number().int().openapi({
                  description:
                    'The most wallets a browser this wallet signed in or claimed from has served (its device cookie)',
                }),
              }),
            },
          },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await walletSignupSignals(deps.db, c.req.valid('param').id), 200),
  );
  return app;
}
