// Small corner marker for the operator: the kiosk has no link to the cloud. Taps still work offline,
// so it must not alarm commuters.
import type { UiLocale } from '../../ui-api/channels.ts';
import { primary, secondary, text } from '../i18n.ts';

export function OfflineBadge({ locale }: { locale: UiLocale }) {
  return (
    <div className="offline-badge" data-testid="offline-indicator" role="status">
      <span className="offline-dot" />
      {primary(text.offline, locale)} · {secondary(text.offline, locale)}
    </div>
  );
}
