// What is wrong with one field of a request, as the cloud replies it (`error.fields`) and the console
// places it: a dotted path into the body, a stable code, developer text and the numbers the message needs.
// Browser-safe: zod only.
import type { z } from 'zod';

export interface FieldIssue {
  /** Dotted path into the request body, e.g. `couponOffers.0.title`; `''` for the body as a whole. */
  path: string;
  /** A FieldCode, or a shared ErrorCode when the rule has one (e.g. COUPON_OFFER_EXPIRED). */
  code: string;
  /** Developer text, English; the console shows a translation chosen by `code`. */
  message: string;
  /** Numbers and words the translated message interpolates. Names ending in `Fen` are amounts. */
  params?: Record<string, string | number>;
}

/** Stable codes of field issues. Add new ones; never rename or reuse one. */
export const FieldCode = {
  REQUIRED: 'REQUIRED',
  INVALID: 'INVALID',
  NOT_INTEGER: 'NOT_INTEGER',
  TOO_SHORT: 'TOO_SHORT',
  TOO_LONG: 'TOO_LONG',
  TOO_SMALL: 'TOO_SMALL',
  TOO_BIG: 'TOO_BIG',
  TOO_FEW: 'TOO_FEW',
  TOO_MANY: 'TOO_MANY',
  // Campaigns (shared/src/campaign-body.ts).
  STARTS_IN_PAST: 'STARTS_IN_PAST',
  ENDS_IN_PAST: 'ENDS_IN_PAST',
  ENDS_BEFORE_START: 'ENDS_BEFORE_START',
  DAYPART_NO_DAYS: 'DAYPART_NO_DAYS',
  DAYPART_ENDS_BEFORE_START: 'DAYPART_ENDS_BEFORE_START',
  PLAN_NOT_BUDGET: 'PLAN_NOT_BUDGET',
  PLAN_INFEASIBLE: 'PLAN_INFEASIBLE',
  ENVELOPES_TOO_MANY: 'ENVELOPES_TOO_MANY',
  ENVELOPES_NONE: 'ENVELOPES_NONE',
  COUPON_STOCK_TOO_LARGE: 'COUPON_STOCK_TOO_LARGE',
  COUPON_VALID_UNTIL_PAST: 'COUPON_VALID_UNTIL_PAST',
  FALLBACK_NO_OFFER: 'FALLBACK_NO_OFFER',
  CREATIVE_MISSING: 'CREATIVE_MISSING',
  CREATIVE_NOT_UPLOADED: 'CREATIVE_NOT_UPLOADED',
  LOCKED_WHILE_RUNNING: 'LOCKED_WHILE_RUNNING',
  // Money.
  BUDGET_EXCEEDED: 'BUDGET_EXCEEDED',
  // Uploads.
  CONTENT_EMPTY: 'CONTENT_EMPTY',
  CONTENT_TOO_LARGE: 'CONTENT_TOO_LARGE',
  CONTENT_TYPE_UNSUPPORTED: 'CONTENT_TYPE_UNSUPPORTED',
  CONTENT_TYPE_MISMATCH: 'CONTENT_TYPE_MISMATCH',
} as const;
export type FieldCode = (typeof FieldCode)[keyof typeof FieldCode];

/** Field issues reported in one reply at most: enough to mark a form, bounded for a hostile body. */
export const FIELD_ISSUES_MAX = 50;

const BOUNDS: Record<string, [tooSmall: FieldCode, tooBig: FieldCode]> = {
  string: [FieldCode.TOO_SHORT, FieldCode.TOO_LONG],
  array: [FieldCode.TOO_FEW, FieldCode.TOO_MANY],
  set: [FieldCode.TOO_FEW, FieldCode.TOO_MANY],
};

function bound(value: unknown): number | string {
  return typeof value === 'bigint' ? value.toString() : typeof value === 'number' ? value : String(value);
}

/** One zod issue as a field issue: bounds keep their number, custom issues their `params.code`. */
export function fieldIssueOf(issue: z.core.$ZodIssue): FieldIssue {
  const path = issue.path.map(String).join('.');
  const base = { path, message: issue.message };
  switch (issue.code) {
    case 'too_small': {
      const code = BOUNDS[issue.origin]?.[0] ?? FieldCode.TOO_SMALL;
      // An empty required string is a missing value to a person, not a short one.
      if (code === FieldCode.TOO_SHORT && issue.minimum === 1) return { ...base, code: FieldCode.REQUIRED };
      return { ...base, code, params: { minimum: bound(issue.minimum) } };
    }
    case 'too_big':
      return {
        ...base,
        code: BOUNDS[issue.origin]?.[1] ?? FieldCode.TOO_BIG,
        params: { maximum: bound(issue.maximum) },
      };
    case 'invalid_type':
      if (issue.expected === 'int') return { ...base, code: FieldCode.NOT_INTEGER };
      return {
        ...base,
        code: / received undefined$/.test(issue.message) ? FieldCode.REQUIRED : FieldCode.INVALID,
      };
    case 'custom': {
      const params = (issue.params ?? {}) as Record<string, unknown>;
      const { code, ...rest } = params;
      const scalars = Object.fromEntries(
        Object.entries(rest).filter(
          (entry): entry is [string, string | number] =>
            typeof entry[1] === 'string' || typeof entry[1] === 'number',
        ),
      );
      return {
        ...base,
        code: typeof code === 'string' ? code : FieldCode.INVALID,
        ...(Object.keys(scalars).length === 0 ? {} : { params: scalars }),
      };
    }
    default:
      return { ...base, code: FieldCode.INVALID };
  }
}

export function fieldIssuesOf(error: { issues: readonly z.core.$ZodIssue[] }): FieldIssue[] {
  return error.issues.slice(0, FIELD_ISSUES_MAX).map(fieldIssueOf);
}
