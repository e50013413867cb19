// Connects a tap source's events and the engine's committed prizes to the screen: `card.present`
// shows `reading`, the exchange result shows its outcome. Used by whoever wires reader and engine.
import type { TapEvent } from '@redtap/tap-reader';
import { exchangeView, type CouponTitleOf, type TapPrizeLike } from '../ui-api/tap-view.ts';
import type { KioskUiHub } from './kiosk-ui-hub.ts';

/** Readers one kiosk tracks; a tap source has a handful at most. */
const READERS_MAX = 8;

export class TapUiFeed {
  private readonly hub: Pick<KioskUiHub, 'beginTap' | 'showTap' | 'newTapId'>;
  private readonly couponTitleOf: CouponTitleOf;
  private readonly readers = new Map<string, { tapId: number; prize: TapPrizeLike | null }>();

  constructor(hub: Pick<KioskUiHub, 'beginTap' | 'showTap' | 'newTapId'>, couponTitleOf: CouponTitleOf) {
    this.hub = hub;
    this.couponTitleOf = couponTitleOf;
  }

  /** Call from the kiosk's onSignature handler once the engine returned a committed prize. */
  prizeCommitted(readerName: string, prize: TapPrizeLike): void {
    const current = this.readers.get(readerName);
    if (current !== undefined) current.prize = prize;
  }

  /** Subscribe this to the tap source (`source.on(event => feed.onTapEvent(event))`). */
  onTapEvent(event: TapEvent): void {
    if (event.type === 'card.present') {
      if (!this.readers.has(event.readerName) && this.readers.size >= READERS_MAX) return;
      this.readers.set(event.readerName, { tapId: this.hub.beginTap(), prize: null });
    } else if (event.type === 'tap') {
      const { readerName } = event.result;
      const current = this.readers.get(readerName);
      this.readers.delete(readerName);
      const tapId = current?.tapId ?? this.hub.newTapId();
      this.hub.showTap(exchangeView(tapId, event.result, current?.prize ?? null, this.couponTitleOf));
    }
  }
}
