// Deck intake (docs/protocol.md §3.4): a deck from the cloud is decoded, checked against the pinned
// issuer keys and this screen's id, and stored. The receipt goes back in a deck-receipt event (§5.3).
import type { KeyObject } from 'node:crypto';
import { decodeDeck, ErrorCode, verifyDeckSignature, type Deck } from '@redtap/shared';
import { KioskCode, type KioskResultCode } from '../codes.ts';
import { insertDeck } from '../store/deck-queries.ts';
import type { Store } from '../store/open-store.ts';
import { isStoreUnavailable } from '../store/store-errors.ts';

export interface DeckReceipt {
  /** null when the bytes did not decode far enough to name a deck. */
  deckId: number | null;
  status: 'stored' | 'rejected';
  code?: KioskResultCode;
  message?: string;
}

export interface DeckIntakeContext {
  store: Store;
  screenId: number;
  issuerKeys: ReadonlyMap<number, KeyObject>;
  now: number;
}

function rejected(deckId: number | null, code: KioskResultCode, message: string): DeckReceipt {
  return { deckId, status: 'rejected', code, message };
}

/**
 * The checks before a deck is stored: it decodes, its issuer key is pinned and its signature verifies,
 * it is for this screen and not expired. Never throws on hostile bytes.
 */
export function checkDeck(
  context: Omit<DeckIntakeContext, 'store'>,
  bytes: Uint8Array,
): { ok: true; deck: Deck } | { ok: false; receipt: DeckReceipt } {
  const decoded = decodeDeck(bytes);
  if (!decoded.ok) return { ok: false, receipt: rejected(null, decoded.code, decoded.message) };
  const deck = decoded.value;
  const issuerKey = context.issuerKeys.get(deck.issuerKeyId);
  if (issuerKey === undefined)
    return {
      ok: false,
      receipt: rejected(
        deck.deckId,
        KioskCode.DECK_ISSUER_UNKNOWN,
        `issuer key ${deck.issuerKeyId} is not pinned`,
      ),
    };
  if (!verifyDeckSignature(bytes, issuerKey))
    return {
      ok: false,
      receipt: rejected(
        deck.deckId,
        KioskCode.DECK_SIGNATURE_INVALID,
        'deck issuer signature does not verify',
      ),
    };
  if (deck.screenId !== context.screenId)
    return {
      ok: false,
      receipt: rejected(deck.deckId, ErrorCode.DECK_WRONG_SCREEN, `deck is for screen ${deck.screenId}`),
    };
  if (deck.validUntil < context.now)
    return {
      ok: false,
      receipt: rejected(deck.deckId, ErrorCode.DECK_EXPIRED, `deck expired at ${deck.validUntil}`),
    };
  return { ok: true, deck };
}

/** Never throws on hostile bytes; a redelivered deck is acknowledged again without resetting it. */
export function storeDeck(context: DeckIntakeContext, bytes: Uint8Array): DeckReceipt {
  const checked = checkDeck(context, bytes);
  if (!checked.ok) return checked.receipt;
  const { deck } = checked;
  try {
    const outcome = insertDeck(context.store, deck, bytes, context.now);
    if (outcome === 'conflict') return deckConflict(deck.deckId);
    return { deckId: deck.deckId, status: 'stored' };
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    return rejected(
      deck.deckId,
      ErrorCode.STORE_UNAVAILABLE,
      error instanceof Error ? error.message : 'store',
    );
  }
}

/** A deck whose id names a different deck already held. */
export function deckConflict(deckId: number): DeckReceipt {
  return rejected(deckId, KioskCode.DECK_CONFLICT, 'a different deck with this id is stored');
}
