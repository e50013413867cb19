// Creatives through the typed client: a file uploaded as the raw body, stored by the cloud under its
// SHA-256. The bytes go as they are, with the file's own media type (none: the cloud tells it by them).
import { useMutation } from '@tanstack/react-query';
import { api, bearer, replyOf } from '../client.ts';
import type { StoredContent } from '../types.ts';
import { useToken } from '../../components/session-context.tsx';

export function uploadContent(token: string | null, file: File): Promise<StoredContent> {
  return replyOf(
    api.POST('/v1/content', {
      body: file,
      bodySerializer: (body) => body,
      headers: {
        ...bearer(token),
        'content-type': file.type === '' ? 'application/octet-stream' : file.type,
      },
    }),
  );
}

/** Uploads files one after another; answers what the cloud stored for each, in order. */
export function useUploadContent(options: { onSuccess: (uploaded: StoredContent[]) => void }) {
  const token = useToken();
  return useMutation({
    mutationFn: async (files: File[]) => {
      const uploaded: StoredContent[] = [];
      for (const file of files) uploaded.push(await uploadContent(token, file));
      return uploaded;
    },
    onSuccess: options.onSuccess,
  });
}
