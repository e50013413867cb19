// A QR code rendered locally (no network) into a data URL by the `qrcode` package.
import { Image, Skeleton } from '@mantine/core';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

export function QrCode({ value, size = 200, label }: { value: string; size?: number; label: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    QRCode.toDataURL(value, { width: size, margin: 1, errorCorrectionLevel: 'M' }).then(
      (data) => {
        if (!cancelled) setUrl(data);
      },
      () => {
        if (!cancelled) setUrl(null);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [value, size]);
  if (url === null) return <Skeleton w={size} h={size} />;
  return <Image src={url} w={size} h={size} alt={label} data-testid="qr-code" />;
}
