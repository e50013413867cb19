// The one thing the exchange needs from a reader: send a command APDU, get the response bytes.
// Two implementations: PC/SC (pcsc-reader.ts) and direct in-process (direct-transport.ts).
import { ErrorCode } from '@redtap/shared';

export type TransportFailure =
  typeof ErrorCode.CARD_REMOVED | typeof ErrorCode.READER_ERROR | typeof ErrorCode.APDU_TIMEOUT;

export class TransportError extends Error {
  override name = 'TransportError';
  readonly code: TransportFailure;

  constructor(code: TransportFailure, message: string) {
    super(message);
    this.code = code;
  }
}

export interface ApduTransport {
  /**
   * Resolves with the response APDU (data ‖ SW1 SW2, possibly malformed: it is the card's). Rejects
   * with a TransportError; must reject with APDU_TIMEOUT soon after `signal` aborts.
   */
  transmit(apdu: Uint8Array, signal: AbortSignal): Promise<Uint8Array>;
}

/** Rejects with APDU_TIMEOUT when the signal aborts, so no transport can hold an exchange hostage. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted)
    return Promise.reject(new TransportError(ErrorCode.APDU_TIMEOUT, 'exchange budget spent'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(new TransportError(ErrorCode.APDU_TIMEOUT, 'exchange budget spent'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
