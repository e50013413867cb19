// The claim ticket's QR code (docs/protocol.md §3.8, docs/kiosk.md §9): phones without the wallet app
// scan it to claim a red packet online. Drawn as SVG from the `qrcode` package's module matrix, so it is
// sharp at any size: error correction M and a quiet zone of 4 modules, as ISO/IEC 18004 asks.
import QRCode from 'qrcode';
import { useMemo } from 'react';
import type { UiLocale } from '../../ui-api/channels.ts';
import { primary, secondary, text } from '../i18n.ts';

const QUIET_ZONE_MODULES = 4;

interface QrDrawing {
  /** Modules per side, quiet zone included. */
  side: number;
  /** One `h1v1` square per dark module. */
  path: string;
}

function drawQr(url: string): QrDrawing | null {
  let modules: QRCode.BitMatrix;
  try {
    modules = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules;
  } catch {
    return null; // Too long for a QR code: the kiosk never sends one, but the screen must not break.
  }
  let path = '';
  for (let row = 0; row < modules.size; row++)
    for (let col = 0; col < modules.size; col++)
      if (modules.get(row, col) === 1)
        path += `M${col + QUIET_ZONE_MODULES} ${row + QUIET_ZONE_MODULES}h1v1h-1z`;
  return { side: modules.size + 2 * QUIET_ZONE_MODULES, path };
}

export function TicketQr({ url, locale }: { url: string; locale: UiLocale }) {
  const drawing = useMemo(() => drawQr(url), [url]);
  if (drawing === null) return null;
  return (
    <div className="ticket-qr" data-testid="ticket-qr" data-ticket-url={url}>
      <svg
        className="ticket-qr-code"
        viewBox={`0 0 ${drawing.side} ${drawing.side}`}
        shapeRendering="crispEdges"
        role="img"
        aria-label={primary(text.scanTitle, locale)}
      >
        <rect width={drawing.side} height={drawing.side} fill="#fff" />
        <path d={drawing.path} fill="#000" />
      </svg>
      <div className="ticket-qr-caption">
        <div className="ticket-qr-title">{primary(text.scanTitle, locale)}</div>
        <div className="ticket-qr-subtitle">{secondary(text.scanTitle, locale)}</div>
      </div>
    </div>
  );
}
