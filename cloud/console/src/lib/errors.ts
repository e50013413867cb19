// What a person sees for a failed request: a message in their language, chosen by the API's stable code
// (locales `errors.*`). The API's own `message` is developer text (English, amounts in fen), so it is
// never shown; a code the console does not know yet gets the generic message.
import type { i18n } from 'i18next';
import { ApiError } from '../api/client.ts';

/** The API's code, `NETWORK`/`HTTP_<status>` from the client, or `CLIENT_ERROR` for anything else. */
export function errorCode(error: unknown): string {
  return error instanceof ApiError ? error.code : 'CLIENT_ERROR';
}

export function errorText(error: unknown, translator: Pick<i18n, 't' | 'exists'>): string {
  const key = `errors.${errorCode(error)}`;
  return translator.exists(key) ? translator.t(key) : translator.t('errors.unknown');
}
