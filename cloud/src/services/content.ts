// Creative uploads: the type is checked against a whitelist by magic bytes (not the client's word),
// the bytes go to the content store and their metadata to `content_objects`.
import { eq } from 'drizzle-orm';
import { ErrorCode, FieldCode } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { contentObjects, type ContentMime } from '../db/schema/campaigns.ts';
import { DomainError } from '../errors.ts';
import type { ContentStore } from './content-store.ts';

export const CONTENT_BYTES_MAX = 50 * 1024 * 1024;

const ascii = (bytes: Uint8Array, from: number, to: number) =>
  Buffer.from(bytes.subarray(from, to)).toString('latin1');

/** The media type the bytes really are, or null when not on the whitelist. */
export function sniffMime(bytes: Uint8Array): ContentMime | null {
  if (bytes.length < 12) return null;
  if (bytes[0] === 0x89 && ascii(bytes, 1, 4) === 'PNG') return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  if (ascii(bytes, 4, 8) === 'ftyp') return 'video/mp4';
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'video/webm';
  return null;
}

export async function storeContent(
  db: Database,
  store: ContentStore,
  input: { bytes: Uint8Array; declaredMime: string | null; advertiserId: number | null },
): Promise<{ sha256: string; mime: ContentMime; bytes: number; url: string }> {
  // Each refusal names the upload as the field, with a code the console words for people.
  const refuse = (
    code: ErrorCode,
    fieldCode: FieldCode,
    message: string,
    params?: Record<string, string | number>,
  ) =>
    new DomainError(code, message, {
      ...(params === undefined ? {} : { params }),
      fields: [{ path: 'file', code: fieldCode, message, ...(params === undefined ? {} : { params }) }],
    });
  if (input.bytes.length === 0)
    throw refuse(ErrorCode.VALIDATION_FAILED, FieldCode.CONTENT_EMPTY, 'empty upload');
  if (input.bytes.length > CONTENT_BYTES_MAX)
    throw refuse(ErrorCode.BODY_TOO_LARGE, FieldCode.CONTENT_TOO_LARGE, 'creative too large', {
      maximumBytes: CONTENT_BYTES_MAX,
    });
  const mime = sniffMime(input.bytes);
  if (mime === null)
    throw refuse(
      ErrorCode.VALIDATION_FAILED,
      FieldCode.CONTENT_TYPE_UNSUPPORTED,
      'only png, jpeg, webp, mp4 and webm are accepted',
      { accepted: 'PNG, JPEG, WebP, MP4, WebM' },
    );
  if (input.declaredMime !== null && input.declaredMime !== mime)
    throw refuse(
      ErrorCode.VALIDATION_FAILED,
      FieldCode.CONTENT_TYPE_MISMATCH,
      `declared ${input.declaredMime} but the bytes are ${mime}`,
      { declared: input.declaredMime, actual: mime },
    );
  const sha256 = await store.put(input.bytes);
  await db
    .insert(contentObjects)
    .values({ sha256, mime, bytes: input.bytes.length, advertiserId: input.advertiserId })
    .onConflictDoNothing();
  return { sha256, mime, bytes: input.bytes.length, url: `/v1/content/${sha256}` };
}

export async function loadContent(
  db: Database,
  store: ContentStore,
  sha256: string,
): Promise<{ mime: ContentMime; bytes: Uint8Array } | null> {
  const [row] = await db
    .select({ mime: contentObjects.mime })
    .from(contentObjects)
    .where(eq(contentObjects.sha256, sha256));
  if (row === undefined) return null;
  const bytes = await store.get(sha256);
  return bytes === null ? null : { mime: row.mime, bytes };
}
