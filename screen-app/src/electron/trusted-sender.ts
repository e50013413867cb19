// Every IPC message is checked against the frame that sent it: only the kiosk's own renderer page,
// loaded from the app scheme, may call the kiosk (Electron security checklist §17).
import { APP_HOST, APP_SCHEME } from './app-protocol.ts';

export function isTrustedSenderUrl(url: string | null | undefined): boolean {
  if (typeof url !== 'string' || url.length > 4096) return false;
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === `${APP_SCHEME}:` &&
      parsed.host === APP_HOST &&
      parsed.username === '' &&
      parsed.password === ''
    );
  } catch {
    return false;
  }
}
