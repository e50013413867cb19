// The band that always invites a tap, over the default content and over every advertiser creative.
import type { UiLocale } from '../../ui-api/channels.ts';
import { primary, secondary, text } from '../i18n.ts';
import { TapIcon } from './red-packet.tsx';

export function CallToAction({ locale }: { locale: UiLocale }) {
  return (
    <div className="cta" data-testid="cta">
      <div className="cta-icon">
        <span className="cta-ring" />
        <TapIcon className="cta-phone" />
      </div>
      <div className="cta-words">
        <div className="cta-title">{primary(text.ctaTitle, locale)}</div>
        <div className="cta-subtitle">
          {secondary(text.ctaTitle, locale)} · {primary(text.ctaHint, locale)}
        </div>
      </div>
    </div>
  );
}
