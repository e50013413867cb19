// Small corner marker for the operator: the kiosk has no link to the cloud, or (connecting) the cloud
// says the screen is active and the broker does not take its login yet. Taps still work offline, so it
// must not alarm commuters.
import type { UiLocale } from '../../ui-api/channels.ts';
import { primary, secondary, text } from '../i18n.ts';

export function OfflineBadge({ locale, connecting = false }: { locale: UiLocale; connecting?: boolean }) {
  const phrase = connecting ? text.connecting : text.offline;
  return (
    <div
      className="offline-badge"
      data-testid={connecting ? 'connecting-indicator' : 'offline-indicator'}
      role="status"
    >
      <span className="offline-dot" />
      {primary(phrase, locale)} · {secondary(phrase, locale)}
    </div>
  );
}
