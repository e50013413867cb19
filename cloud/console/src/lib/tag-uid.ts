// A tag UID as a person types or scans it (docs/protocol.md §9): 7 bytes of hex, with the colons, dashes
// and spaces of printed UIDs ignored; a scanned URL may name it in its `uid` parameter.

const UID_HEX = /^[0-9a-f]{14}$/;

/** The UID in lowercase hex, or null when the text holds none. */
export function tagUidOf(text: string): string | null {
  const trimmed = text.trim();
  let candidate = trimmed;
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      candidate = new URL(trimmed).searchParams.get('uid') ?? '';
    } catch {
      return null;
    }
  }
  const uid = candidate.replace(/[\s:-]/g, '').toLowerCase();
  return UID_HEX.test(uid) ? uid : null;
}
