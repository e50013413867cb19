// The fullscreen ad loop: shows the item the kiosk scheduled and reports each showing for proof of
// play. A creative that cannot be loaded falls back to the default content (and is not reported).
import { useEffect, useRef, useState } from 'react';
import type { PlaylistItemView, UiApi, UiLocale } from '../../ui-api/channels.ts';
import { DefaultCreative } from './default-creative.tsx';

type Creative = Extract<PlaylistItemView, { kind: 'creative' }>;

export function AdLoop({ api, item, locale }: { api: UiApi; item: PlaylistItemView; locale: UiLocale }) {
  if (item.kind === 'default') return <DefaultCreative locale={locale} />;
  return <CreativeView key={item.seq} api={api} item={item} locale={locale} />;
}

function CreativeView({ api, item, locale }: { api: UiApi; item: Creative; locale: UiLocale }) {
  const [url, setUrl] = useState<string | null | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const shownAtMs = useRef<number | null>(null);

  useEffect(() => {
    let live = true;
    api
      .getCreativeUrl({ creativeSha256: item.creativeSha256 })
      .then((value) => {
        if (live) setUrl(value);
      })
      .catch(() => {
        if (live) setUrl(null);
      });
    return () => {
      live = false;
      // Proof of play: only a creative that was really on screen, for as long as it was.
      const started = shownAtMs.current;
      if (started === null) return;
      api
        .reportPlay({
          seq: item.seq,
          creativeSha256: item.creativeSha256,
          campaignId: item.campaignId,
          startedAtMs: started,
          durationMs: Math.min(Math.max(0, Date.now() - started), 600_000),
        })
        .catch(() => undefined);
    };
  }, [api, item]);

  const onShown = () => {
    shownAtMs.current ??= Date.now();
  };

  if (url === undefined) return <div className="creative-frame" />;
  if (url === null || failed) return <DefaultCreative locale={locale} />;
  const common = {
    className: 'creative-media',
    'data-testid': 'ad-creative',
    'data-sha256': item.creativeSha256,
    onError: () => setFailed(true),
  };
  return (
    <div className="creative-frame">
      {item.mime.startsWith('video/') ? (
        <video {...common} src={url} autoPlay muted loop playsInline onPlaying={onShown} />
      ) : (
        <img {...common} src={url} alt="" onLoad={onShown} />
      )}
    </div>
  );
}
