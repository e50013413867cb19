// What a tap looks like: a brief, large overlay per outcome, readable from across an elevator.
import { formatFen } from '@redtap/shared/money';
import type { TapCertainty, TapView, UiLocale } from '../../ui-api/channels.ts';
import { primary, secondary, text, type Phrase } from '../i18n.ts';
import { RedPacket } from './red-packet.tsx';

/** How long each outcome stays up; `reading` only until its outcome arrives, or this bound. */
export const OVERLAY_MS: Readonly<Record<TapView['state'], number>> = {
  reading: 5_000,
  prize: 6_000,
  claimed: 5_000,
  'already-grabbed': 4_500,
  'thank-you': 4_500,
  'try-again': 3_500,
  'not-supported': 4_000,
  unavailable: 4_000,
};

function Lines({ title, hint, locale }: { title: Phrase; hint?: Phrase; locale: UiLocale }) {
  return (
    <>
      <div className="overlay-title">{primary(title, locale)}</div>
      <div className="overlay-title-secondary">{secondary(title, locale)}</div>
      {hint !== undefined && (
        <div className="overlay-hint">
          {primary(hint, locale)}
          <span className="overlay-hint-secondary">{secondary(hint, locale)}</span>
        </div>
      )}
    </>
  );
}

function Coupon({ title, locale }: { title: string | null; locale: UiLocale }) {
  if (title === null) return null;
  return (
    <div className="coupon-chip" data-testid="coupon-title">
      <span className="coupon-label">{primary(text.couponLabel, locale)}</span>
      {title}
    </div>
  );
}

/** Where the prize goes: sent to the wallet when the kiosk is sure, confirming when it cannot be. */
function Outcome({ certainty, locale }: { certainty: TapCertainty; locale: UiLocale }) {
  const phrase = certainty === 'firm' ? text.prizeWallet : text.confirmingHint;
  return (
    <div className="overlay-hint" data-testid="prize-certainty" data-certainty={certainty}>
      {primary(phrase, locale)}
      <span className="overlay-hint-secondary">{secondary(phrase, locale)}</span>
    </div>
  );
}

const CONFETTI = Array.from({ length: 18 }, (_, index) => index);

function Confetti() {
  return CONFETTI.map((index) => (
    <span
      key={index}
      className={`confetti confetti-${index % 6}`}
      style={{ left: `${(index * 53) % 100}%`, animationDelay: `${(index % 5) * 0.12}s` }}
    />
  ));
}

export function TapOverlay({ view, locale }: { view: TapView; locale: UiLocale }) {
  // A committed tap's overlay names its counter: the tap's identity with the screen's id, as the cloud
  // records it (docs/protocol.md §7), so what the screen said can be matched to what the cloud paid.
  const counter = 'counter' in view ? { 'data-counter': view.counter } : {};
  const base = { 'data-testid': 'tap-overlay', 'data-state': view.state, role: 'alert', ...counter } as const;
  switch (view.state) {
    case 'reading':
      return (
        <div {...base} className="overlay overlay-reading">
          <div className="reading-ring" />
          <Lines title={text.readingTitle} hint={text.readingHint} locale={locale} />
        </div>
      );
    case 'prize': {
      const couponOnly = view.amountFen === 0;
      const confirming = view.certainty === 'confirming';
      const title = confirming ? text.confirmingTitle : couponOnly ? text.couponOnlyTitle : text.prizeTitle;
      return (
        <div {...base} className="overlay overlay-prize">
          <Confetti />
          <div className="prize-card">
            <RedPacket className="prize-packet" open />
            <div className="prize-words">
              <Lines title={title} locale={locale} />
              {!couponOnly && (
                <div className="prize-amount" data-testid="prize-amount">
                  {formatFen(view.amountFen)}
                </div>
              )}
              <Coupon title={view.couponTitle} locale={locale} />
              <Outcome certainty={view.certainty} locale={locale} />
            </div>
          </div>
        </div>
      );
    }
    case 'claimed':
      // Someone's phone claimed this screen's code online: what the cloud paid (cash, or the fallback
      // coupon), and who paid it.
      return (
        <div {...base} className="overlay overlay-prize" data-ticket-seq={view.ticketSeq}>
          <Confetti />
          <div className="prize-card">
            <RedPacket className="prize-packet" open />
            <div className="prize-words">
              {view.amountFen > 0 && (
                <div className="prize-amount" data-testid="prize-amount">
                  {formatFen(view.amountFen)}
                </div>
              )}
              <Lines title={text.claimedTitle} locale={locale} />
              <Coupon title={view.couponTitle} locale={locale} />
              {view.brand !== null && (
                <div className="coupon-chip" data-testid="claim-brand">
                  <span className="coupon-label">{primary(text.brandLabel, locale)}</span>
                  {view.brand}
                </div>
              )}
              <div className="overlay-hint">
                {primary(text.claimedHint, locale)}
                <span className="overlay-hint-secondary">{secondary(text.claimedHint, locale)}</span>
              </div>
            </div>
          </div>
        </div>
      );
    case 'already-grabbed':
      return (
        <div {...base} className="overlay overlay-soft">
          <Lines title={text.alreadyTitle} hint={text.alreadyHint} locale={locale} />
          <Coupon title={view.couponTitle} locale={locale} />
          {view.certainty === 'confirming' && <Outcome certainty="confirming" locale={locale} />}
        </div>
      );
    case 'thank-you':
      return (
        <div {...base} className="overlay overlay-soft">
          <Lines title={text.thankYouTitle} hint={text.thankYouHint} locale={locale} />
          <Coupon title={view.couponTitle} locale={locale} />
          {view.certainty === 'confirming' && <Outcome certainty="confirming" locale={locale} />}
        </div>
      );
    case 'try-again':
      return (
        <div {...base} className="overlay overlay-warn" data-reason={view.reason}>
          <Lines title={text.tryAgainTitle} hint={text.tryAgainHint} locale={locale} />
        </div>
      );
    case 'not-supported':
      return (
        <div {...base} className="overlay overlay-warn" data-reason={view.reason}>
          <Lines title={text.notSupportedTitle} hint={text.notSupportedHint} locale={locale} />
        </div>
      );
    case 'unavailable':
      return (
        <div {...base} className="overlay overlay-warn" data-reason={view.reason}>
          <Lines title={text.unavailableTitle} hint={text.unavailableHint} locale={locale} />
        </div>
      );
  }
}
