// What a person sees for a failed request: a message in their language, chosen by the API's stable code
// (locales `errors.*`), and for each field the error concerns (`error.fields`) a message chosen by the
// field's code (locales `fieldErrors.*`), with its numbers interpolated and amounts written in yuan. The
// API's own `message` is developer text (English, amounts in fen), so it is never shown; a code the
// console does not know yet gets the generic message.
import type { i18n } from 'i18next';
import type { FieldIssue } from '@redtap/shared/field-issues';
import { ApiError } from '../api/client.ts';
import { formatFen } from './money.ts';

type Translator = Pick<i18n, 't' | 'exists'>;

/** The API's code, `NETWORK`/`HTTP_<status>` from the client, or `CLIENT_ERROR` for anything else. */
export function errorCode(error: unknown): string {
  return error instanceof ApiError ? error.code : 'CLIENT_ERROR';
}

export function errorText(error: unknown, translator: Translator): string {
  const key = `errors.${errorCode(error)}`;
  if (!translator.exists(key)) return translator.t('errors.unknown');
  return translator.t(key, error instanceof ApiError ? displayParams(error.params, false) : {});
}

/** The fields a failed request names, or none. */
export function errorFields(error: unknown): FieldIssue[] {
  return error instanceof ApiError ? error.fields : [];
}

/** Params ready for a message: amounts (names ending in `Fen`, or the bounds of an amount field) in yuan. */
function displayParams(params: Record<string, string | number> = {}, amountField: boolean) {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      typeof value === 'number' &&
      (name.endsWith('Fen') || (amountField && ['minimum', 'maximum'].includes(name)))
        ? formatFen(value)
        : value,
    ]),
  );
}

/** The translated message of one field issue; bounds of an amount field read as yuan. */
export function fieldIssueText(issue: FieldIssue, translator: Translator): string {
  const field = issue.path.split('.').at(-1) ?? '';
  const amountField = field.endsWith('Fen');
  const params = displayParams(issue.params, amountField);
  if (issue.code === 'PLAN_INFEASIBLE' && typeof issue.params?.problem === 'string') {
    const key = `wizard.planProblem.${issue.params.problem}`;
    if (translator.exists(key)) return translator.t(key, params);
  }
  if (field.endsWith('Ms') && (issue.code === 'TOO_SMALL' || issue.code === 'TOO_BIG')) {
    const seconds = Object.fromEntries(
      Object.entries(issue.params ?? {}).map(([name, value]) => [
        name,
        typeof value === 'number' ? value / 1000 : value,
      ]),
    );
    return translator.t(`fieldErrors.SECONDS_${issue.code}`, seconds);
  }
  const moneyKey = `fieldErrors.MONEY_${issue.code}`;
  if (amountField && translator.exists(moneyKey)) return translator.t(moneyKey, params);
  const key = `fieldErrors.${issue.code}`;
  return translator.exists(key) ? translator.t(key, params) : translator.t('fieldErrors.INVALID');
}

/**
 * A person's name for a field path: `couponOffers.0.title` → "Coupon offer 1 · Title". Names come from
 * locales `fieldNames.*`; a segment without one is left out.
 */
export function fieldLabel(path: string, translator: Translator): string {
  const parts: string[] = [];
  const segments = path.split('.').filter((segment) => segment !== '');
  segments.forEach((segment, index) => {
    if (/^\d+$/.test(segment)) {
      const last = parts.pop();
      if (last !== undefined) parts.push(`${last} ${Number(segment) + 1}`);
      return;
    }
    const key = `fieldNames.${segment}`;
    // A named collection keeps its name for the index after it; plain containers (rules, prizePlan) do
    // not need theirs when the leaf has one.
    if (translator.exists(key)) parts.push(translator.t(key));
    else if (index === segments.length - 1) parts.push(segment);
  });
  return parts.join(' · ');
}
