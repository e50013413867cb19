// Wallet passkeys through the typed client and the browser's WebAuthn (@simplewebauthn/browser): create a
// wallet with a passkey, sign in with one, and add one to the signed-in wallet. The cloud verifies every
// ceremony (services/wallet-passkeys.ts); the browser only relays its options and the authenticator's answer.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { ApiError, api, bearer, replyOf } from '../client.ts';
import type { Reply, RequestBody } from '../types.ts';
import { walletKeys } from './wallet.ts';

export type WalletSession = Reply<'/v1/wallets/passkeys/authentication', 'post'>;
type RegistrationBody = RequestBody<'/v1/wallets/passkeys/registration', 'post'>;
type AuthenticationBody = RequestBody<'/v1/wallets/passkeys/authentication', 'post'>;

export const passkeyKeys = {
  list: () => [...walletKeys.all, 'passkeys'] as const,
};

/** Whether this browser can use passkeys at all (an old browser gets the phone-key path only). */
export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

/** A name the owner may recognise among their passkeys: the kind of device, from the user agent. */
export function deviceLabel(userAgent: string = navigator.userAgent): string {
  if (/iPhone/.test(userAgent)) return 'iPhone';
  if (/iPad/.test(userAgent)) return 'iPad';
  if (/Android/.test(userAgent)) return 'Android';
  if (/Macintosh/.test(userAgent)) return 'Mac';
  if (/Windows/.test(userAgent)) return 'Windows';
  if (/Linux/.test(userAgent)) return 'Linux';
  return 'Browser';
}

/**
 * The browser's refusals as codes the wallet can word (locales `errors.*`): the person closed the prompt
 * or it timed out, this authenticator holds a passkey of the wallet already, or the page's address
 * cannot have passkeys (an IP address, plain http off localhost). Anything else stays as it is.
 */
async function inBrowser<T>(ceremony: () => Promise<T>): Promise<T> {
  try {
    return await ceremony();
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'NotAllowedError' || name === 'AbortError')
      throw new ApiError(0, 'PASSKEY_CANCELLED', message);
    if (name === 'InvalidStateError') throw new ApiError(0, 'PASSKEY_EXISTS', message);
    if (name === 'SecurityError') throw new ApiError(0, 'PASSKEY_ORIGIN_UNSUPPORTED', message);
    throw error;
  }
}

async function createCredential(options: PublicKeyCredentialCreationOptionsJSON) {
  const response = await inBrowser(() => startRegistration({ optionsJSON: options }));
  return { response: response as unknown as RegistrationBody['response'], deviceLabel: deviceLabel() };
}

/** Creates a passkey and, with it, a new wallet; the reply is that wallet's first session. */
export async function createPasskeyWallet(): Promise<WalletSession> {
  const options = await replyOf(api.POST('/v1/wallets/passkeys/registration-options'));
  const body = await createCredential(options as PublicKeyCredentialCreationOptionsJSON);
  return replyOf(api.POST('/v1/wallets/passkeys/registration', { body }));
}

/** Signs in with any passkey of ours this device offers; the reply names the passkey's wallet. */
export async function signInWithPasskey(): Promise<WalletSession> {
  const options = await replyOf(api.POST('/v1/wallets/passkeys/authentication-options'));
  const response = await inBrowser(() =>
    startAuthentication({ optionsJSON: options as PublicKeyCredentialRequestOptionsJSON }),
  );
  const body: AuthenticationBody = { response: response as unknown as AuthenticationBody['response'] };
  return replyOf(api.POST('/v1/wallets/passkeys/authentication', { body }));
}

export function useWalletPasskeys(token: string) {
  return useQuery({
    queryKey: passkeyKeys.list(),
    queryFn: ({ signal }) => replyOf(api.GET('/v1/wallets/me/passkeys', { headers: bearer(token), signal })),
  });
}

/** Adds a passkey to the signed-in wallet, so it signs this same wallet in from now on. */
export function useAddWalletPasskey(token: string, options: { onSuccess: () => void }) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const creation = await replyOf(
        api.POST('/v1/wallets/me/passkeys/registration-options', { headers: bearer(token) }),
      );
      const body = await createCredential(creation as PublicKeyCredentialCreationOptionsJSON);
      return replyOf(api.POST('/v1/wallets/me/passkeys', { headers: bearer(token), body }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: passkeyKeys.list() });
      options.onSuccess();
    },
  });
}
