// An HCE wallet emulator: answers RedTap v1 APDUs exactly as the phone app does (docs/protocol.md §4),
// GET DAY STATE from its own tap log included (or, as a phone from before it, 6D 00), with scripted
// misbehaviours for tests, demos and benchmarks.
import {
  CHALLENGE_LENGTH,
  DAY_STATE_REQUEST_LENGTH,
  HelloFlag,
  Ins,
  REDTAP_AID,
  SignatureLabel,
  RECEIPT_EXTRA_LENGTH,
  StatusWord,
  TAP_TOKEN_LENGTH,
  bytesEqual,
  decodeCommandApdu,
  decodeDayStateRequest,
  encodeHello,
  encodeResponseApdu,
  sign,
  signDayState,
  tokenChallengeBytes,
  type KeyPair,
  type WalletCredential,
} from '@redtap/shared';
import { PhoneTapLog, phoneTapOf, type PhoneTap } from './phone-tap-log.ts';
import { seededRandom, type Random } from './prng.ts';
import { delay, systemTimers, type Timers } from './timers.ts';
import { ATR_ISO_14443_4, type CardReply, type VirtualCard } from './virtual-card.ts';

export type PhoneBehaviour =
  | { kind: 'normal' }
  /** Waits before every reply, or only before the reply to one command. */
  | { kind: 'slow'; delayMs: number; onlyIns?: number }
  /** The wallet is locked: SELECT and SIGN CHALLENGE get 69 85. */
  | { kind: 'locked' }
  /** Answers SELECT, then leaves the field when the challenge arrives (nothing signed). */
  | { kind: 'leave-after-hello' }
  /** Signs the challenge, then leaves when the receipt arrives (committed, receipt lost). */
  | { kind: 'leave-after-challenge' }
  /** Stores the receipt, then leaves without acknowledging it. */
  | { kind: 'leave-after-receipt' }
  /** Replies with seeded random or mutated bytes; `validRatio` of replies are left intact. */
  | { kind: 'hostile'; seed: number; validRatio?: number; replyLengthMax?: number };

export interface VirtualPhoneOptions {
  keyPair: KeyPair;
  credential: WalletCredential;
  online?: boolean;
  behaviour?: PhoneBehaviour;
  timers?: Timers;
  receiptsMax?: number;
  /** false: a phone from before GET DAY STATE, which answers it 6D 00 (default true). */
  dayState?: boolean;
  /** Taps the phone already knows (e.g. kept by the phone simulator between presentations). */
  taps?: readonly PhoneTap[];
  /**
   * The phone's own log, when it outlives this emulator: a simulation that builds a VirtualPhone per
   * presentation passes the same log every time, so the phone remembers its taps on every screen.
   */
  tapLog?: PhoneTapLog;
}

const RECEIPTS_MAX = 1000;
/** A PC/SC transmit buffer holds 258 bytes (256 data + SW); longer replies are a reader error anyway. */
const HOSTILE_REPLY_LENGTH_MAX = 258;
const HOSTILE_STATUS_WORDS = [0x9000, 0x6a82, 0x6985, 0x6700, 0x6d00, 0x6e00, 0x6100, 0x6cff, 0x6f00];

export interface StoredReceipt {
  token: Uint8Array;
  /** The long receipt's `u32 advertiserId ‖ u32 cityKey`, null for the 196-byte form. */
  extra: Uint8Array | null;
  redeemed: boolean;
}

export class VirtualPhone implements VirtualCard {
  readonly atr = ATR_ISO_14443_4;
  readonly credential: WalletCredential;
  behaviour: PhoneBehaviour;
  online: boolean;
  /** Counts SELECTs of the RedTap AID: one per exchange the kiosk ran. */
  selectCount = 0;
  readonly receipts: StoredReceipt[] = [];
  readonly keyPair: KeyPair;
  /** Whether the phone speaks GET DAY STATE and takes the long receipt. */
  readonly speaksDayState: boolean;
  /** What it signs its day state from: every receipt it accepted, bounded. */
  readonly tapLog: PhoneTapLog;
  private readonly timers: Timers;
  private readonly receiptsMax: number;
  private random: Random | null = null;
  private selected = false;
  private signedChallenge: Uint8Array | null = null;

  constructor(options: VirtualPhoneOptions) {
    this.keyPair = options.keyPair;
    this.credential = options.credential;
    this.online = options.online ?? false;
    this.behaviour = options.behaviour ?? { kind: 'normal' };
    this.timers = options.timers ?? systemTimers;
    this.receiptsMax = options.receiptsMax ?? RECEIPTS_MAX;
    this.speaksDayState = options.dayState ?? true;
    this.tapLog = options.tapLog ?? new PhoneTapLog();
    for (const tap of options.taps ?? []) this.tapLog.add(tap);
    if (this.behaviour.kind === 'hostile') this.random = seededRandom(this.behaviour.seed);
  }

  reset(): void {
    this.selected = false;
    this.signedChallenge = null;
  }

  /** The phone app's APDU handler proper, without any scripted misbehaviour. */
  process(apdu: Uint8Array): Uint8Array {
    const reply = (data: Uint8Array, sw: number): Uint8Array => encodeResponseApdu({ data, sw });
    const status = (sw: number): Uint8Array => reply(new Uint8Array(0), sw);
    const locked = this.behaviour.kind === 'locked';
    const decoded = decodeCommandApdu(apdu);
    if (!decoded.ok) return status(StatusWord.wrongLength);
    const command = decoded.value;
    if (command.ins === Ins.select && command.cla === 0x00 && command.p1 === 0x04) {
      if (!bytesEqual(command.data, REDTAP_AID)) {
        this.selected = false;
        return status(StatusWord.fileNotFound);
      }
      this.selectCount += 1;
      if (locked) return status(StatusWord.conditionsNotSatisfied);
      this.selected = true;
      this.signedChallenge = null;
      // Built per SELECT: `online` may change between presentations (the simulator sets it per tap).
      const hello = encodeHello({
        flags: this.online ? HelloFlag.phoneOnline : 0,
        credential: this.credential,
      });
      return reply(hello, StatusWord.ok);
    }
    const known =
      command.ins === Ins.signChallenge ||
      command.ins === Ins.putReceipt ||
      (command.ins === Ins.getDayState && this.speaksDayState);
    if (!known) return status(StatusWord.insNotSupported);
    if (command.cla !== 0x80) return status(StatusWord.claNotSupported);
    // Both proprietary commands only make sense inside a selected session (docs/protocol.md §4).
    if (!this.selected || locked) return status(StatusWord.conditionsNotSatisfied);
    if (command.ins === Ins.signChallenge) {
      if (command.data.length !== CHALLENGE_LENGTH) return status(StatusWord.wrongLength);
      this.signedChallenge = command.data;
      return reply(sign(SignatureLabel.challenge, command.data, this.keyPair.privateKey), StatusWord.ok);
    }
    if (command.ins === Ins.getDayState) {
      if (command.data.length !== DAY_STATE_REQUEST_LENGTH) return status(StatusWord.wrongLength);
      const request = decodeDayStateRequest(command.data);
      if (!request.ok) return status(StatusWord.conditionsNotSatisfied);
      const state = this.tapLog.dayState(this.credential.walletId, request.value);
      return reply(signDayState(command.data, state, this.keyPair.privateKey), StatusWord.ok);
    }
    const longReceipt =
      this.speaksDayState && command.data.length === TAP_TOKEN_LENGTH + RECEIPT_EXTRA_LENGTH;
    if (command.data.length !== TAP_TOKEN_LENGTH && !longReceipt) return status(StatusWord.wrongLength);
    const token = command.data.subarray(0, TAP_TOKEN_LENGTH);
    // A receipt that is not for the challenge this phone just signed is someone else's.
    if (this.signedChallenge === null || !bytesEqual(tokenChallengeBytes(token), this.signedChallenge)) {
      return status(StatusWord.conditionsNotSatisfied);
    }
    this.storeReceipt(token, longReceipt ? command.data.subarray(TAP_TOKEN_LENGTH) : null);
    return status(StatusWord.ok);
  }

  async respond(apdu: Uint8Array): Promise<CardReply> {
    const behaviour = this.behaviour;
    const ins = apdu[1];
    switch (behaviour.kind) {
      case 'slow':
        if (behaviour.onlyIns === undefined || behaviour.onlyIns === ins) {
          await delay(behaviour.delayMs, this.timers);
        }
        break;
      case 'leave-after-hello':
        if (ins === Ins.signChallenge) return { kind: 'leave' };
        break;
      case 'leave-after-challenge':
        if (ins === Ins.putReceipt) return { kind: 'leave' };
        break;
      case 'leave-after-receipt':
        if (ins === Ins.putReceipt) {
          this.process(apdu);
          return { kind: 'leave' };
        }
        break;
      case 'hostile':
        return { kind: 'reply', bytes: this.hostileReply(this.process(apdu), behaviour) };
      default:
        break;
    }
    return { kind: 'reply', bytes: this.process(apdu) };
  }

  /** Hands every receipt not yet redeemed to the phone's online path; stops at the first failure. */
  async redeemReceipts(redeem: (token: Uint8Array) => Promise<void>): Promise<number> {
    let redeemed = 0;
    for (const receipt of this.receipts) {
      if (receipt.redeemed) continue;
      await redeem(receipt.token);
      receipt.redeemed = true;
      redeemed += 1;
    }
    return redeemed;
  }

  private storeReceipt(token: Uint8Array, extra: Uint8Array | null): void {
    // Bounded: the oldest redeemed receipts go first, then the oldest of all.
    if (this.receipts.length >= this.receiptsMax) {
      const redeemedIndex = this.receipts.findIndex((receipt) => receipt.redeemed);
      this.receipts.splice(redeemedIndex === -1 ? 0 : redeemedIndex, 1);
    }
    this.receipts.push({ token: token.slice(), extra: extra?.slice() ?? null, redeemed: false });
    const tap = phoneTapOf(token, extra);
    if (tap !== null) this.tapLog.add(tap);
  }

  private hostileReply(
    valid: Uint8Array,
    behaviour: { validRatio?: number; replyLengthMax?: number },
  ): Uint8Array {
    const random = this.random ?? seededRandom(0);
    const lengthMax = behaviour.replyLengthMax ?? HOSTILE_REPLY_LENGTH_MAX;
    if (random.next() < (behaviour.validRatio ?? 0.3)) return valid;
    const data = valid.subarray(0, valid.length - 2);
    const pickStatus = (): number => HOSTILE_STATUS_WORDS[random.int(HOSTILE_STATUS_WORDS.length)] ?? 0x9000;
    const withStatus = (body: Uint8Array, sw: number): Uint8Array =>
      encodeResponseApdu({ data: body.subarray(0, Math.max(0, lengthMax - 2)), sw });
    switch (random.int(8)) {
      case 0:
        return random.bytes(random.int(lengthMax + 1));
      case 1:
        return withStatus(data, pickStatus());
      case 2:
        return withStatus(data.subarray(0, random.int(Math.max(1, data.length))), 0x9000);
      case 3: {
        const extra = random.bytes(1 + random.int(8));
        return withStatus(new Uint8Array([...data, ...extra]), 0x9000);
      }
      case 4: {
        const flipped = valid.slice();
        const at = random.int(flipped.length);
        flipped[at] = (flipped[at] ?? 0) ^ (1 << random.int(8));
        return flipped;
      }
      case 5:
        return withStatus(new Uint8Array(0), pickStatus());
      case 6:
        return random.bytes(1);
      default:
        return new Uint8Array(0);
    }
  }
}
