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
  return z.object({ items: z.array(item), nextAfter: z.number().int().nullable() });
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

export const Session = z.object({
  token: z.string(),
  expiresAt: z.number().int().openapi({ description: 'Unix seconds' }),
});
