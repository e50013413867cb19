// Expected failures of the cloud's services, each with a stable code from the shared ErrorCode table.
// The HTTP layer maps them to `{ error: { code, message, params?, fields? } }` in one place (http/errors.ts).
import { ErrorCode, FieldCode, type FieldIssue } from '@redtap/shared';

export type ErrorParams = Record<string, string | number>;

export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: ErrorCode;
  /** Numbers the console's translated message interpolates (names ending in `Fen` are amounts). */
  readonly params: ErrorParams | undefined;
  /** The fields of the request the error concerns, for the console to mark. */
  readonly fields: FieldIssue[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details: { params?: ErrorParams; fields?: FieldIssue[] } = {},
  ) {
    super(message);
    this.code = code;
    this.params = details.params;
    this.fields = details.fields;
  }
}

/** The error code a reply carries for a field issue whose rule has a code of its own. */
const errorCodeOfField: Partial<Record<string, ErrorCode>> = {
  [FieldCode.COUPON_STOCK_TOO_LARGE]: ErrorCode.COUPON_STOCK_TOO_LARGE,
  [FieldCode.COUPON_VALID_UNTIL_PAST]: ErrorCode.COUPON_OFFER_EXPIRED,
  [FieldCode.PLAN_NOT_BUDGET]: ErrorCode.MONEY_INVALID,
  [FieldCode.PLAN_INFEASIBLE]: ErrorCode.MONEY_INVALID,
  [FieldCode.ENVELOPES_NONE]: ErrorCode.MONEY_INVALID,
  [FieldCode.ENVELOPES_TOO_MANY]: ErrorCode.MONEY_INVALID,
  [FieldCode.BUDGET_EXCEEDED]: ErrorCode.MONEY_INVALID,
};

/** Field issues as one error: its code is the first issue's own rule's, else VALIDATION_FAILED. */
export function fieldsError(fields: FieldIssue[]): DomainError {
  const ruled = fields.find((field) => errorCodeOfField[field.code] !== undefined);
  const code =
    ruled === undefined
      ? ErrorCode.VALIDATION_FAILED
      : (errorCodeOfField[ruled.code] ?? ErrorCode.VALIDATION_FAILED);
  const message = fields.map((field) => `${field.path || 'body'}: ${field.message}`).join('; ');
  return new DomainError(code, message, { fields });
}
