// zod (OpenAPI) building blocks shared by the route modules: ids, pages, hex keys.
import { z } from '@hono/zod-openapi';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from '@redtap/shared';

export const PAGE_SIZE_MAX = 100;
export const PAGE_SIZE_DEFAULT = 50;

export const Id = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** Client-supplied ledger transfer ids stay below the server's own range (db/schema/ledger.ts). */
export const ClientTransferId = z
  .number()
  .int()
  .min(1)
  .max(2 ** 40 - 1);
export const IdParam = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' }, example: 1 }) });

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
  /** Keyset cursor: the last id of the previous page. */
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), nextAfter: z.number().int().nullable() });
}

/** The cursor for the next page, or null when this page was the last. */
export function nextAfter(items: { id: number }[], limit: number): number | null {
  return items.length < limit ? null : (items.at(-1)?.id ?? null);
}

const hexBytes = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), `must be ${bytes} bytes of hex`)
    .transform((value) => value.toLowerCase());

export const PublicKeyHex = hexBytes(PUBLIC_KEY_LENGTH).openapi({
  description: '65-byte uncompressed P-256 point, hex',
});
export const SignatureHex = hexBytes(SIGNATURE_LENGTH).openapi({ description: '64-byte raw r‖s, hex' });
export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email());
export const Password = z.string().min(10).max(256);
export const Name = z.string().trim().min(1).max(200);

/** The span of days a report may ask about; a date outside it is a typo, not a query. */
export const DAY_MIN = '2000-01-01';
export const DAY_MAX = '2100-12-31';

/** True for a real calendar day: the pattern alone lets 2024-02-30 through to the database (a 500). */
export function isCalendarDay(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** A calendar day, YYYY-MM-DD, between DAY_MIN and DAY_MAX. */
export const IsoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .refine(isCalendarDay, 'must be a real calendar day')
  .refine((day) => day >= DAY_MIN && day <= DAY_MAX, `must be between ${DAY_MIN} and ${DAY_MAX}`);

/** A report's `from`/`to`, inclusive, defaulting to every day there is; refine with `fromNotAfterTo`. */
export const DayRange = { from: IsoDay.default(DAY_MIN), to: IsoDay.default(DAY_MAX) };
/** A range that ends before it starts is refused rather than answered with nothing. */
export const fromNotAfterTo: [
  (range: { from: string; to: string }) => boolean,
  { message: string; path: string[] },
] = [(range) => range.from <= range.to, { message: 'from must not be after to', path: ['from'] }];

export const Session = z.strictObject({
  token: z.string(),
  expiresAt: z.number().int().openapi({ description: 'Unix seconds' }),
});

interface SchemaDefinition {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  out?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  valueType?: z.ZodType;
}

/**
 * The same schema with every object in it strict (undeclared fields refused), for a reply built from a
 * shared protocol schema: those stay lenient, so an older kiosk reads a newer config, but the API
 * declares exactly what it answers.
 */
export function strictReply<T extends z.ZodType>(schema: T): T {
  const definition = schema._zod.def as unknown as SchemaDefinition;
  const strict = (inner: z.ZodType | undefined) => (inner === undefined ? undefined : strictReply(inner));
  const mapped: Record<string, unknown> = {};
  switch (definition.type) {
    case 'object':
      mapped.shape = Object.fromEntries(
        Object.entries(definition.shape ?? {}).map(([key, value]) => [key, strictReply(value)]),
      );
      mapped.catchall = z.never();
      break;
    case 'array':
      mapped.element = strict(definition.element);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      mapped.innerType = strict(definition.innerType);
      break;
    case 'union':
      mapped.options = (definition.options ?? []).map((option) => strictReply(option));
      break;
    case 'pipe':
      mapped.in = strict(definition.in);
      mapped.out = strict(definition.out);
      break;
    case 'intersection':
      mapped.left = strict(definition.left);
      mapped.right = strict(definition.right);
      break;
    case 'tuple':
      mapped.items = (definition.items ?? []).map((item) => strictReply(item));
      mapped.rest =
        definition.rest === null || definition.rest === undefined ? null : strictReply(definition.rest);
      break;
    case 'record':
      mapped.valueType = strict(definition.valueType);
      break;
    default:
      return schema;
  }
  return schema.clone({ ...schema._zod.def, ...mapped });
}
