// The screen: ad loop, call to action (or out of service), the claim ticket's QR code, tap overlays and the
// operator's offline marker, all driven by the kiosk through the typed UI API.
import { useEffect, useState } from 'react';
import type { ScreenState, TapView, UiApi } from '../ui-api/channels.ts';
import { AdLoop } from './components/ad-loop.tsx';
import { CallToAction } from './components/call-to-action.tsx';
import { OfflineBadge } from './components/offline-badge.tsx';
import { OutOfService } from './components/out-of-service.tsx';
import { OVERLAY_MS, TapOverlay } from './components/tap-overlay.tsx';
import { TicketQr } from './components/ticket-qr.tsx';
import { localeOverride } from './i18n.ts';

export const RENDERER_VERSION = '0.1.0';

/** Until the kiosk answers, the screen already shows the built-in content. */
const INITIAL_STATE: ScreenState = {
  online: false,
  enrolled: false,
  screenId: null,
  locale: 'zh',
  item: { kind: 'default', seq: 0, durationMs: 15_000 },
};

export function App({ api }: { api: UiApi }) {
  const [state, setState] = useState<ScreenState>(INITIAL_STATE);
  const [connected, setConnected] = useState(false);
  const [tap, setTap] = useState<TapView | null>(null);

  useEffect(() => {
    const onState = (next: ScreenState) => {
      setConnected(true);
      setState(next);
    };
    const offState = api.on('state', onState);
    // A tap being read keeps the screen: word of someone else's claim does not cover it.
    const offTap = api.on('tap', (next) =>
      setTap((current) => (next.state === 'claimed' && current?.state === 'reading' ? current : next)),
    );
    api.ready({ rendererVersion: RENDERER_VERSION }).then(onState, () => undefined);
    return () => {
      offState();
      offTap();
    };
  }, [api]);

  useEffect(() => {
    if (tap === null) return;
    const timer = setTimeout(() => {
      setTap((current) => (current === tap ? null : current));
    }, OVERLAY_MS[tap.state]);
    return () => clearTimeout(timer);
  }, [tap]);

  const locale = localeOverride(window.location.search) ?? state.locale;
  const ticketUrl = state.outOfService === true ? null : (state.ticketUrl ?? null);
  return (
    <main
      className="screen"
      lang={locale === 'zh' ? 'zh-CN' : 'en'}
      data-connected={connected}
      data-seq={state.item.seq}
      data-ticket={ticketUrl !== null}
      data-overlay={tap?.state}
    >
      <AdLoop api={api} item={state.item} locale={locale} />
      {state.outOfService === true ? <OutOfService locale={locale} /> : <CallToAction locale={locale} />}
      {ticketUrl !== null && <TicketQr url={ticketUrl} locale={locale} />}
      {tap !== null && <TapOverlay key={tap.tapId} view={tap} locale={locale} />}
      {!state.online && <OfflineBadge locale={locale} connecting={state.connecting === true} />}
    </main>
  );
}
