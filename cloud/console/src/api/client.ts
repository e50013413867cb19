// The cloud API client: openapi-fetch typed from the cloud's OpenAPI document, plus a plain GET for CSV
// exports. Every failure becomes an ApiError carrying the API's stable
// `{ error: { code, message, params?, fields? } }` code, so screens can show it and mark its fields.
import createClient from 'openapi-fetch';
import type { FieldIssue } from '@redtap/shared/field-issues';
import type { paths } from './schema.d.ts';

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  /** Values the translated message interpolates (`error.params`); names ending in `Fen` are amounts. */
  readonly params: Record<string, string | number>;
  /** The request fields the error concerns (`error.fields`), for a form to mark. */
  readonly fields: FieldIssue[];

  constructor(
    status: number,
    code: string,
    message: string,
    details: { params?: Record<string, string | number>; fields?: FieldIssue[] } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.params = details.params ?? {};
    this.fields = details.fields ?? [];
  }
}

function scalarsOf(value: unknown): Record<string, string | number> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string | number] =>
        typeof entry[1] === 'string' || typeof entry[1] === 'number',
    ),
  );
}

/** The reply's field issues, each checked: a reply is typed, not trusted. */
function fieldsOf(value: unknown): FieldIssue[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (item === null || typeof item !== 'object') return [];
    const { path, code, message, params } = item as Record<string, unknown>;
    if (typeof path !== 'string' || typeof code !== 'string') return [];
    return [{ path, code, message: typeof message === 'string' ? message : '', params: scalarsOf(params) }];
  });
}

export const REQUEST_TIMEOUT_MS = 20_000;

export interface RequestOptions {
  token?: string | null;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

function urlOf(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined) params.set(key, String(value));
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

/** A GET outside the typed client (CSV exports): the same timeout, and an ApiError for anything but a 2xx. */
async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers = bearer(options.token);
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(urlOf(path, options.query), {
      method: 'GET',
      headers,
      signal: options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]),
    });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', error instanceof Error ? error.message : 'network error');
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const parsed = (await response.json()) as {
      error?: { code?: unknown; message?: unknown; params?: unknown; fields?: unknown };
    };
    const code = typeof parsed.error?.code === 'string' ? parsed.error.code : `HTTP_${response.status}`;
    const message = typeof parsed.error?.message === 'string' ? parsed.error.message : response.statusText;
    return new ApiError(response.status, code, message, {
      params: scalarsOf(parsed.error?.params),
      fields: fieldsOf(parsed.error?.fields),
    });
  } catch {
    return new ApiError(response.status, `HTTP_${response.status}`, response.statusText);
  }
}

/** For CSV exports: the body as text, plus the response headers (settlement counts). */
export async function apiText(
  path: string,
  options: RequestOptions = {},
): Promise<{ text: string; headers: Headers }> {
  const response = await send(path, options);
  return { text: await response.text(), headers: response.headers };
}

/** Every request of the typed client: the same timeout, and an ApiError for anything but a 2xx. */
function sendTyped(request: Request): Promise<Response> {
  return sendTypedWithin(REQUEST_TIMEOUT_MS)(request);
}

/** The typed client's fetch with a timeout of its own, for the few calls that take longer (a bulk import). */
export const sendTypedWithin =
  (timeoutMs: number) =>
  async (request: Request): Promise<Response> => {
    const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(new Request(request, { signal }));
    } catch (error) {
      throw new ApiError(0, 'NETWORK', error instanceof Error ? error.message : 'network error');
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  };

/**
 * The cloud API typed from its OpenAPI document (schema.d.ts, generated from the routes): paths,
 * parameters, bodies and replies are checked against what the cloud declares.
 */
export const api = createClient<paths>({ fetch: sendTyped });

/** The Authorization header of a session, for a typed call's `headers`. */
export function bearer(token: string | null | undefined): Record<string, string> {
  return token === null || token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** The reply of a typed call (`replyOf(api.GET('/v1/screens', …))`); a failure has already thrown ApiError. */
export async function replyOf<D>(call: Promise<{ data?: D; response: Response }>): Promise<D> {
  const { data, response } = await call;
  if (data === undefined)
    throw new ApiError(response.status, `HTTP_${response.status}`, 'the reply had no body');
  return data;
}

/** A client-chosen ledger transfer id below 2^40 (cloud schemas.ts `ClientTransferId`). */
export function newTransferId(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return ((words[0] ?? 0) & 0xff) * 2 ** 32 + (words[1] ?? 0) + 1;
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID().replaceAll('-', '');
}
