// NATS decentralized auth for the broker cluster (docs/protocol.md §5.2): one operator, its system
// account, and one application account holding the cloud and every screen. Screens log in over MQTT with a
// bearer user JWT as their MQTT password (MQTT cannot sign the server's nonce); its permissions are the
// screen ACL of §5.2 in NATS subjects. Revoking a screen adds its user key to the application account
// JWT's revocations, which the cloud re-signs and pushes to the cluster.
import { Algorithms, decode, encodeAccount, encodeOperator, encodeUser } from '@nats-io/jwt';
import { createAccount, createOperator, createUser, fromSeed, type KeyPair } from '@nats-io/nkeys';
import { screenTopic } from '@redtap/shared';

const v2 = { algorithm: Algorithms.v2 };

/** MQTT topic `a/b/c` is NATS subject `a.b.c` (NATS's MQTT bridge; `+` ↔ `*`, `#` ↔ `>`). */
export function mqttTopicToSubject(topic: string): string {
  return topic.replaceAll('/', '.').replaceAll('+', '*').replaceAll('#', '>');
}

/**
 * Subjects an MQTT session uses internally besides its topics (nats-server 2.9 mqtt.go): QoS 1
 * subscriptions are JetStream consumers delivering on `$MQTT.sub.<nuid>`, which the client's own
 * connection subscribes to; publishing is checked on the topic's subject only.
 */
export const MQTT_INTERNAL_SUBSCRIBE = ['$MQTT.sub.>'];

/** The seeds the cloud needs: the operator's (to re-sign the account JWT), the accounts'. */
export interface NatsAuthSeeds {
  operatorSeed: string;
  accountSeed: string;
  systemAccountSeed: string;
}

export interface NatsAuthSetup extends NatsAuthSeeds {
  operatorJwt: string;
  accountJwt: string;
  systemAccountJwt: string;
  accountPublicKey: string;
  systemAccountPublicKey: string;
}

const seedText = (kp: KeyPair): string => new TextDecoder().decode(kp.getSeed());
export const keyFromSeed = (seed: string): KeyPair => fromSeed(new TextEncoder().encode(seed));

/** Account JWTs without limits default to none allowed: no connections, no subscriptions. */
const unlimited = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
};

/** The application account's claims: JetStream without limits, and the revocations given. */
export function applicationAccount(revocations: Record<string, number> = {}) {
  return {
    limits: {
      ...unlimited,
      mem_storage: -1,
      disk_storage: -1,
      streams: -1,
      consumer: -1,
    },
    revocations,
  };
}

export async function encodeApplicationAccount(
  seeds: NatsAuthSeeds,
  revocations: Record<string, number>,
): Promise<string> {
  return encodeAccount('redtap', keyFromSeed(seeds.accountSeed), applicationAccount(revocations), {
    ...v2,
    signer: keyFromSeed(seeds.operatorSeed),
  });
}

/** A fresh operator with its two accounts (tests, `npm run cluster`, a first deployment). */
export async function createNatsAuth(): Promise<NatsAuthSetup> {
  const operator = createOperator();
  const account = createAccount();
  const system = createAccount();
  const operatorJwt = await encodeOperator('redtap', operator, { system_account: system.getPublicKey() }, v2);
  const seeds = {
    operatorSeed: seedText(operator),
    accountSeed: seedText(account),
    systemAccountSeed: seedText(system),
  };
  return {
    ...seeds,
    operatorJwt,
    accountJwt: await encodeApplicationAccount(seeds, {}),
    systemAccountJwt: await encodeAccount('SYS', system, { limits: unlimited }, { ...v2, signer: operator }),
    accountPublicKey: account.getPublicKey(),
    systemAccountPublicKey: system.getPublicKey(),
  };
}

/** A bearer user JWT of `accountSeed`'s account, with the permissions given (none: everything). */
export async function mintBearerUser(
  name: string,
  accountSeed: string,
  permissions?: { pub: { allow: string[] }; sub: { allow: string[] } },
): Promise<{ jwt: string; publicKey: string }> {
  const user = createUser();
  const jwt = await encodeUser(
    name,
    user,
    keyFromSeed(accountSeed),
    { bearer_token: true, ...(permissions ?? {}) },
    v2,
  );
  return { jwt, publicKey: user.getPublicKey() };
}

/**
 * The §5.2 screen ACL in NATS subjects: publish its taps, events and presence; subscribe to its acks,
 * decks, config and claimed notices (plus the MQTT session's internal delivery subjects).
 */
export function screenPermissions(screenId: number, topicRoot: string) {
  const subject = (kind: Parameters<typeof screenTopic>[1]) =>
    mqttTopicToSubject(screenTopic(screenId, kind, topicRoot));
  return {
    pub: { allow: [subject('taps'), subject('events'), subject('presence')] },
    sub: {
      allow: [
        subject('acks'),
        subject('decks'),
        subject('config'),
        subject('claimed'),
        ...MQTT_INTERNAL_SUBSCRIBE,
      ],
    },
  };
}

/** The MQTT password a screen gets at enrolment on NATS: a bearer user JWT with its ACL. */
export function mintScreenJwt(
  screenId: number,
  username: string,
  accountSeed: string,
  topicRoot: string,
): Promise<{ jwt: string; publicKey: string }> {
  return mintBearerUser(username, accountSeed, screenPermissions(screenId, topicRoot));
}

/**
 * Checks that `jwt` is a bearer JWT this account issued for screen `screenId` with exactly its §5.2
 * ACL; its user public key.
 */
export function screenJwtKey(
  jwt: string,
  screenId: number,
  username: string,
  accountPublicKey: string,
  topicRoot: string,
): string {
  const claims = decode<{ bearer_token?: boolean; pub?: unknown; sub?: unknown }>(jwt);
  if (claims.iss !== accountPublicKey) throw new Error('screen JWT is not issued by the redtap account');
  if (claims.name !== username) throw new Error(`screen JWT is for ${claims.name}, not ${username}`);
  if (claims.nats.bearer_token !== true) throw new Error('screen JWT is not a bearer token');
  const wanted = screenPermissions(screenId, topicRoot);
  if (JSON.stringify({ pub: claims.nats.pub, sub: claims.nats.sub }) !== JSON.stringify(wanted))
    throw new Error(`screen JWT does not carry the ACL of screen ${screenId}`);
  return claims.sub;
}
