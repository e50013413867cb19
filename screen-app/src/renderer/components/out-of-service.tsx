// Takes the call to action's place when the cloud revoked this screen: it refuses every tap, so it
// must not invite one.
import type { UiLocale } from '../../ui-api/channels.ts';
import { primary, secondary, text } from '../i18n.ts';

export function OutOfService({ locale }: { locale: UiLocale }) {
  return (
    <div className="cta out-of-service" data-testid="out-of-service" role="status">
      <div className="cta-words">
        <div className="cta-title">{primary(text.outOfServiceTitle, locale)}</div>
        <div className="cta-subtitle">
          {secondary(text.outOfServiceTitle, locale)} · {primary(text.outOfServiceHint, locale)}
        </div>
      </div>
    </div>
  );
}
