// Reads the screen id back out of an MQTT username `screen-{id}` (docs/protocol.md §5.2).
import { screenMqttUsername } from '@redtap/shared';

const SCREEN_USERNAME = /^screen-([1-9]\d{0,15})$/;

/** The screen id of a well-formed screen username, else null; never throws. */
export function parseScreenUsername(username: string): number | null {
  const match = SCREEN_USERNAME.exec(username);
  if (match === null) return null;
  const screenId = Number(match[1]);
  if (!Number.isSafeInteger(screenId)) return null;
  // Round-trip, so there is exactly one spelling of each screen's username.
  return screenMqttUsername(screenId) === username ? screenId : null;
}
