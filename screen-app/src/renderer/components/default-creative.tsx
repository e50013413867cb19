// Built-in content for when nothing is scheduled or cached: a RedTap red packet on festive red.
import type { UiLocale } from '../../ui-api/channels.ts';
import { primary, secondary, text } from '../i18n.ts';
import { RedPacket } from './red-packet.tsx';

const COINS = [
  { left: '8%', top: '18%', size: 5.5, delay: 0 },
  { left: '47%', top: '62%', size: 3.5, delay: 1.2 },
  { left: '88%', top: '14%', size: 4.5, delay: 0.6 },
  { left: '80%', top: '58%', size: 3, delay: 1.8 },
  { left: '14%', top: '66%', size: 3.8, delay: 2.4 },
];

export function DefaultCreative({ locale }: { locale: UiLocale }) {
  return (
    <div className="default-creative" data-testid="default-creative">
      {COINS.map((coin, index) => (
        <span
          key={index}
          className="coin"
          style={{
            left: coin.left,
            top: coin.top,
            width: `${coin.size}vmin`,
            height: `${coin.size}vmin`,
            animationDelay: `${coin.delay}s`,
          }}
        />
      ))}
      <div className="default-hero">
        <RedPacket className="default-packet" />
        <div className="default-words">
          <div className="wordmark">
            Red<span>Tap</span>
          </div>
          <div className="wordmark-zh">红包 · 一碰即得</div>
          <div className="tagline">{primary(text.brandTagline, locale)}</div>
          <div className="tagline-secondary">{secondary(text.brandTagline, locale)}</div>
        </div>
      </div>
    </div>
  );
}
