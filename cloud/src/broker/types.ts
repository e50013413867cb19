// The cloud's view of its MQTT broker, whichever engine runs it (embedded aedes or an external
// Mosquitto/EMQX). The HTTP side and the ingest worker depend only on this interface.
import type { Ack, ScreenConfig, ScreenEvent, ScreenPresence, TicketClaimed } from '@redtap/shared';

/** Checks a screen's MQTT login against the database; resolves the screenId, or null to refuse. */
export type AuthenticateScreen = (username: string, password: string) => Promise<number | null>;

export interface TapBatchMessage {
  screenId: number;
  /** Raw payload of `…/screens/{id}/taps`, still untrusted. */
  payload: Uint8Array;
}

export interface ScreenEventMessage {
  screenId: number;
  event: ScreenEvent;
}

/** A screen's presence (docs/protocol.md §5.6), validated, for the topic's screen. */
export interface ScreenPresenceMessage {
  screenId: number;
  presence: ScreenPresence;
}

export interface BrokerStats {
  tapBatchesAccepted: number;
  /** Larger than a 500-token batch can be: never handed to the tap handler. */
  tapBatchesOversize: number;
  eventsAccepted: number;
  /** Not JSON, too large, or not a valid ScreenEvent. */
  eventsInvalid: number;
  presenceAccepted: number;
  /** Not JSON, too large, or not a valid ScreenPresence. */
  presenceInvalid: number;
  /**
   * A topic that is not a screen up topic (the broker's ACL should make this impossible), or an empty
   * (cleared) retained presence.
   */
  messagesIgnored: number;
  /** The kind's queue was full. */
  messagesDropped: number;
  handlerErrors: number;
  handlerTimeouts: number;
}

export interface CloudBroker {
  /** `mqtt://host:port` that kiosks connect to. */
  readonly url: string;
  /**
   * Creates or updates a screen's broker identity (Mosquitto dynamic security). Idempotent; a new password
   * replaces the old. aedes asks `AuthenticateScreen` at every login instead, so there it only lifts an
   * earlier in-process revocation.
   */
  provisionScreen(screenId: number, username: string, password: string): Promise<void>;
  /**
   * The MQTT password the screen gets at enrolment, where the engine issues it: NATS checks no
   * password of ours, so a screen's is a bearer user JWT carrying its ACL (docs/protocol.md §5.2).
   * Absent: the enrolment draws a random one.
   */
  mintScreenPassword?(screenId: number): Promise<string>;
  /** Removes the identity and disconnects the screen at once. */
  revokeScreen(screenId: number): Promise<void>;
  /**
   * Disconnects a screen that misbehaves (e.g. keeps sending tokens its key did not sign) without touching
   * its identity. aedes also refuses its logins until `untilMs`; with an external broker the screen may
   * log in again, and the ingest drops its batches until then.
   */
  suspendScreen(screenId: number, untilMs: number): Promise<void>;
  publishConfig(screenId: number, config: ScreenConfig): Promise<void>;
  publishDeck(screenId: number, deck: Uint8Array): Promise<void>;
  publishAck(screenId: number, ack: Ack): Promise<void>;
  /** A claim ticket of the screen was claimed (docs/protocol.md §5.7): it turns its QR code over. */
  publishTicketClaimed(screenId: number, notice: TicketClaimed): Promise<void>;
  /** Handlers run one message at a time per handler; a rejected promise is logged, never fatal. */
  onTapBatch(handler: (message: TapBatchMessage) => Promise<void>): void;
  /** Events arrive already validated against the shared zod schema; invalid ones are counted and dropped. */
  onScreenEvent(handler: (message: ScreenEventMessage) => Promise<void>): void;
  /**
   * Presence messages (online after a connect, offline as the connection's will or before a clean
   * disconnect), validated like events. Retained: a cloud that subscribes gets every screen's last one.
   */
  onScreenPresence(handler: (message: ScreenPresenceMessage) => Promise<void>): void;
  /** Inbound counters since start (also exported as prom-client metrics when a registry is given). */
  stats(): BrokerStats;
  close(): Promise<void>;
}
