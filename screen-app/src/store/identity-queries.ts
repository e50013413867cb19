// Reads and writes the screen's identity and its pinned issuer keys (set once, at enrolment).
import { eq } from 'drizzle-orm';
import { identity, pinnedIssuerKeys } from './schema/index.ts';
import type { Store } from './open-store.ts';

export interface PinnedIssuerKey {
  keyId: number;
  /** 65-byte SEC1 public key. */
  publicKey: Uint8Array;
}

export interface MqttCredentials {
  url: string;
  username: string;
  password: string;
  topicRoot: string;
}

export interface ScreenIdentity {
  screenId: number;
  keyPath: string;
  publicKey: Uint8Array;
  mqtt: MqttCredentials;
  issuerKeys: PinnedIssuerKey[];
  enrolledAt: number;
}

/** Replaces the identity and its pinned keys in one transaction. */
export function saveIdentity(store: Store, screen: ScreenIdentity): void {
  store.db.transaction(
    (tx) => {
      tx.delete(identity).run();
      tx.delete(pinnedIssuerKeys).run();
      tx.insert(identity)
        .values({
          id: 1,
          screenId: screen.screenId,
          keyPath: screen.keyPath,
          publicKey: Buffer.from(screen.publicKey),
          mqttUrl: screen.mqtt.url,
          mqttUsername: screen.mqtt.username,
          mqttPassword: screen.mqtt.password,
          topicRoot: screen.mqtt.topicRoot,
          enrolledAt: screen.enrolledAt,
        })
        .run();
      for (const key of screen.issuerKeys) {
        tx.insert(pinnedIssuerKeys)
          .values({ keyId: key.keyId, publicKey: Buffer.from(key.publicKey) })
          .run();
      }
    },
    { behavior: 'immediate' },
  );
}

export function loadIdentity(store: Store): ScreenIdentity | null {
  const row = store.db.select().from(identity).get();
  if (row === undefined) return null;
  const keys = store.db.select().from(pinnedIssuerKeys).orderBy(pinnedIssuerKeys.keyId).all();
  return {
    screenId: row.screenId,
    keyPath: row.keyPath,
    publicKey: new Uint8Array(row.publicKey),
    mqtt: {
      url: row.mqttUrl,
      username: row.mqttUsername,
      password: row.mqttPassword,
      topicRoot: row.topicRoot,
    },
    issuerKeys: keys.map((key) => ({ keyId: key.keyId, publicKey: new Uint8Array(key.publicKey) })),
    enrolledAt: row.enrolledAt,
  };
}

/**
 * Claims the next MQTT presence connection number: at least `atLeast` (the link's wall-clock candidate)
 * and above the last one this store used, so numbers keep rising across restarts even when the clock
 * stepped back in between. Without an identity row (not enrolled) it returns `atLeast` unchanged.
 */
export function claimPresenceSeq(store: Store, atLeast: number): number {
  return store.db.transaction((tx) => {
    const row = tx.select({ seq: identity.presenceSeq }).from(identity).where(eq(identity.id, 1)).get();
    if (row === undefined) return atLeast;
    const seq = Math.max(atLeast, row.seq + 1);
    tx.update(identity).set({ presenceSeq: seq }).where(eq(identity.id, 1)).run();
    return seq;
  });
}
