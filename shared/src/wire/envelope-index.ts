// The tap token's envelopeIndex for a tap without an envelope (docs/protocol.md §3.3). Its own module,
// so browser code (the judge in ../rules) can read it without the token codec's node:crypto.
export const ENVELOPE_INDEX_NONE = 0xffff;
