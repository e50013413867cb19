// Expected failures of the cloud's services, each with a stable code from the shared ErrorCode table.
// The HTTP layer maps them to `{ error: { code, message } }` in one place (http/errors.ts).
import type { ErrorCode } from '@redtap/shared';

export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
