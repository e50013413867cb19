// What a tap source needs from a card in its field: an ATR, and a reply (or a departure) per APDU.
// Implemented by the virtual phone and by the stand-ins for foreign cards below.
import { StatusWord, encodeResponseApdu } from '@redtap/shared';

export type CardReply = { kind: 'reply'; bytes: Uint8Array } | { kind: 'leave' };

export interface VirtualCard {
  readonly atr: Uint8Array;
  respond(apdu: Uint8Array): Promise<CardReply>;
  /** The field came up (power on, reset) or went away: session state starts over. */
  reset(): void;
}

/** ATR an ISO 14443-4 (ISO-DEP) card gets from a PC/SC contactless reader (PC/SC part 3 §3.1.3.2.3.2). */
export const ATR_ISO_14443_4 = Uint8Array.of(0x3b, 0x80, 0x80, 0x01, 0x01);
/** A MIFARE Classic 1K as a PC/SC reader reports it: byte 5 is 0x4F (RID follows), ISO 14443-3 only. */
export const ATR_MIFARE_CLASSIC = Uint8Array.of(
  0x3b,
  0x8f,
  0x80,
  0x01,
  0x80,
  0x4f,
  0x0c,
  0xa0,
  0x00,
  0x00,
  0x03,
  0x06,
  0x03,
  0x00,
  0x01,
  0x00,
  0x00,
  0x00,
  0x00,
  0x6a,
);

function statusOnly(sw: number): CardReply {
  return { kind: 'reply', bytes: encodeResponseApdu({ data: new Uint8Array(0), sw }) };
}

/** A bank card: ISO-DEP, but it has no RedTap application, so SELECT gets 6A 82. */
export function bankCard(): VirtualCard {
  return {
    atr: ATR_ISO_14443_4,
    respond: (apdu) =>
      Promise.resolve(statusOnly(apdu[1] === 0xa4 ? StatusWord.fileNotFound : StatusWord.insNotSupported)),
    reset: () => undefined,
  };
}

/** A memory tag without ISO-DEP; a reader must not even try to send it APDUs. */
export function mifareTag(): VirtualCard {
  return {
    atr: ATR_MIFARE_CLASSIC,
    respond: () => Promise.resolve(statusOnly(StatusWord.insNotSupported)),
    reset: () => undefined,
  };
}

/** Card type as nfc-pcsc derives it from the ATR (node_modules/nfc-pcsc Reader.selectStandardByAtr). */
export function cardTypeFromAtr(atr: Uint8Array): 'TAG_ISO_14443_3' | 'TAG_ISO_14443_4' {
  return atr[5] === 0x4f ? 'TAG_ISO_14443_3' : 'TAG_ISO_14443_4';
}
