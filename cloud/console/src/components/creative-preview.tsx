// A creative by its SHA-256, from /v1/content: shown as an image, or as a muted looping video when the
// bytes are not an image.
import { AspectRatio, Paper } from '@mantine/core';
import { useState } from 'react';

export function CreativePreview(props: {
  sha256?: string;
  src?: string;
  mime?: string;
  width?: number;
  label: string;
}) {
  const src = props.src ?? `/v1/content/${props.sha256 ?? ''}`;
  const [video, setVideo] = useState(props.mime?.startsWith('video/') ?? false);
  return (
    <Paper withBorder radius="sm" w={props.width ?? 160} style={{ overflow: 'hidden' }} bg="dark.8">
      <AspectRatio ratio={9 / 16}>
        {video ? (
          <video
            src={src}
            muted
            loop
            autoPlay
            playsInline
            aria-label={props.label}
            style={{ objectFit: 'contain' }}
          />
        ) : (
          <img src={src} alt={props.label} onError={() => setVideo(true)} style={{ objectFit: 'contain' }} />
        )}
      </AspectRatio>
    </Paper>
  );
}
