// The one JSON error shape, `{ error: { code, message, params?, fields? } }`, and the HTTP status of every
// code. `fields` names each field of the request the error concerns (shared field-issues.ts), so the
// console marks the field with a translated message; `message` stays developer text.
import { z } from '@hono/zod-openapi';
import { ErrorCode, type FieldIssue } from '@redtap/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: ErrorCode.VALIDATION_FAILED }),
      message: z.string(),
      params: z
        .record(z.string(), z.union([z.string(), z.number()]))
        .optional()
        .openapi({
          description: 'Values the translated message interpolates; names ending in Fen are amounts',
        }),
      fields: z
        .array(
          z.object({
            path: z.string().openapi({ example: 'couponOffers.0.title' }),
            code: z.string().openapi({ example: 'TOO_LONG' }),
            message: z.string(),
            params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
          }),
        )
        .optional()
        .openapi({ description: 'The request fields the error concerns, each with a stable code' }),
    }),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;

const statusByCode: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  [ErrorCode.VALIDATION_FAILED]: 400,
  [ErrorCode.BAD_PUBLIC_KEY]: 400,
  [ErrorCode.MONEY_INVALID]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.LOGIN_CHALLENGE_INVALID]: 401,
  [ErrorCode.SESSION_REVOKED]: 401,
  [ErrorCode.WALLET_REVOKED]: 403,
  [ErrorCode.PASSKEY_CHALLENGE_INVALID]: 401,
  [ErrorCode.PASSKEY_INVALID]: 401,
  [ErrorCode.PASSKEY_ALGORITHM_UNSUPPORTED]: 400,
  [ErrorCode.PASSKEY_COUNTER_REGRESSED]: 401,
  [ErrorCode.PASSKEY_UNKNOWN]: 401,
  [ErrorCode.PASSKEY_EXISTS]: 409,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.SCREEN_REVOKED]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.TRANSFER_CONFLICT]: 409,
  [ErrorCode.SCREEN_GROUP_IN_USE]: 409,
  [ErrorCode.SCREEN_GROUP_FULL]: 409,
  [ErrorCode.SCREEN_CAMPAIGNS_FULL]: 409,
  [ErrorCode.SCREEN_IMPORT_INVALID]: 422,
  [ErrorCode.SCREEN_IMPORT_COLUMNS_INVALID]: 400,
  [ErrorCode.SCREEN_IMPORT_TOO_LARGE]: 413,
  [ErrorCode.SCREEN_IMPORT_NOT_UTF8]: 400,
  [ErrorCode.SCREEN_SELECTION_CHANGED]: 409,
  [ErrorCode.ENROLMENT_CODE_USED]: 409,
  [ErrorCode.ENROLMENT_CODE_EXPIRED]: 410,
  [ErrorCode.ENROLMENT_CODE_INVALID]: 400,
  [ErrorCode.ENROLMENT_SIGNATURE_INVALID]: 400,
  [ErrorCode.BODY_TOO_LARGE]: 413,
  [ErrorCode.INSUFFICIENT_FUNDS]: 422,
  [ErrorCode.PAYOUT_ACCOUNT_MISSING]: 409,
  [ErrorCode.PAYOUT_RESULT_UNKNOWN]: 422,
  [ErrorCode.PAYOUT_RESULT_CONFLICT]: 409,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.INTERNAL]: 500,
  [ErrorCode.COUPON_CODE_INVALID]: 400,
  [ErrorCode.COUPON_UNKNOWN]: 404,
  [ErrorCode.COUPON_NOT_ACCEPTED_HERE]: 422,
  [ErrorCode.COUPON_ALREADY_REDEEMED]: 409,
  [ErrorCode.COUPON_EXPIRED]: 410,
  [ErrorCode.TICKET_FORGED]: 400,
  [ErrorCode.TICKET_EXPIRED]: 410,
  [ErrorCode.TICKET_FROM_FUTURE]: 422,
  [ErrorCode.TICKET_ALREADY_CLAIMED]: 409,
  [ErrorCode.CLAIM_RATE_LIMITED]: 429,
  [ErrorCode.TAG_UID_DUPLICATE]: 409,
  [ErrorCode.SUN_UNKNOWN_TAG]: 404,
  [ErrorCode.SUN_TAG_UNBOUND]: 409,
  [ErrorCode.SUN_COUNTER_REPLAYED]: 409,
};

export function statusForCode(code: ErrorCode): ContentfulStatusCode {
  return statusByCode[code] ?? 400;
}

export function errorBody(
  code: ErrorCode,
  message: string,
  details: { params?: Record<string, string | number> | undefined; fields?: FieldIssue[] | undefined } = {},
): ErrorBody {
  return {
    error: {
      code,
      message,
      ...(details.params === undefined ? {} : { params: details.params }),
      ...(details.fields === undefined || details.fields.length === 0 ? {} : { fields: details.fields }),
    },
  };
}

/** The documented error responses every route can produce, merged into each route definition. */
export function errorResponses(
  ...statuses: number[]
): Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorBody } } }> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: 'Error', content: { 'application/json': { schema: ErrorBody } } },
    ]),
  );
}
