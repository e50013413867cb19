// Camera QR scanning with the `qr-scanner` package (bundled, its worker built from a blob: no CDN).
// Loaded only when the cashier opens the camera; typing the code is always the fallback.
import { Alert, Button, Stack } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export function QrScan({ onCode, onClose }: { onCode: (code: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);
  // The latest callback, read at decode time, so a re-render never restarts the camera.
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;
  useEffect(() => {
    const element = video.current;
    if (element === null) return;
    let stopped = false;
    let scanner: { stop: () => void; destroy: () => void } | null = null;
    void import('qr-scanner')
      .then(async ({ default: QrScanner }) => {
        if (stopped) return;
        if (!(await QrScanner.hasCamera())) throw new Error('no camera');
        const instance = new QrScanner(
          element,
          (result) => {
            instance.stop();
            onCodeRef.current(result.data);
          },
          { preferredCamera: 'environment', returnDetailedScanResult: true, maxScansPerSecond: 10 },
        );
        scanner = instance;
        await instance.start();
      })
      .catch(() => {
        if (!stopped) setFailed(true);
      });
    return () => {
      stopped = true;
      scanner?.stop();
      scanner?.destroy();
    };
  }, []);
  return (
    <Stack gap="xs">
      {failed ? (
        <Alert color="yellow">{t('till.noCamera')}</Alert>
      ) : (
        <video
          ref={video}
          style={{ width: '100%', borderRadius: 12, background: '#000' }}
          muted
          playsInline
        />
      )}
      <Button variant="default" onClick={onClose}>
        {t('till.stopScan')}
      </Button>
    </Stack>
  );
}
