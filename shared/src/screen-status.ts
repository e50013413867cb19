// A screen's own standing as the cloud answers it (docs/protocol.md §5.9, `GET /v1/screens/me/status`
// with the broker login as Basic): asked by a kiosk whose broker login was refused, since enrolment
// answers before the broker identity exists. A revoked screen's login is refused (401) instead.
import { z } from 'zod';

export const ScreenStatus = z.strictObject({
  screenId: z.number().int().min(1),
  status: z.literal('active'),
  /** `pending`: the broker identity is wanted and not made yet; `ready`: nothing is owed to the broker. */
  broker: z.enum(['pending', 'ready']),
});
export type ScreenStatus = z.infer<typeof ScreenStatus>;
