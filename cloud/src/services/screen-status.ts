// What the cloud knows of a screen's own standing, for the screen itself (docs/protocol.md §5.9): a
// kiosk whose broker login is refused asks before it calls itself revoked. Enrolment answers the kiosk
// before the broker-identity dispatcher has made its identity (an external Mosquitto refuses the login
// until then), so a refused login alone does not mean revocation.
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { screenBrokerIdentities } from '../db/schema/campaign-rollout.ts';

/**
 * `pending`: the identity is wanted present and not made yet (a screen_broker_identities row wants it);
 * `ready`: nothing is owed, the broker has the identity (or, with the embedded broker, checks the database
 * itself).
 */
export type ScreenBrokerState = 'pending' | 'ready';

export async function screenBrokerState(db: Database, screenId: number): Promise<ScreenBrokerState> {
  const [row] = await db
    .select({ present: screenBrokerIdentities.present })
    .from(screenBrokerIdentities)
    .where(eq(screenBrokerIdentities.screenId, screenId))
    .limit(1);
  return row?.present === true ? 'pending' : 'ready';
}
