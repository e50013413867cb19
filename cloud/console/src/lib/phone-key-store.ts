// Where the browser keeps its phone key: localStorage, so the same "phone" survives reloads.
import { parsePhoneKeyFile, type PhoneKeyFile } from './wallet-key.ts';

const STORAGE_KEY = 'redtap.wallet.phone';

export function loadPhoneKeyFile(): PhoneKeyFile | null {
  const text = localStorage.getItem(STORAGE_KEY);
  return text === null ? null : parsePhoneKeyFile(text);
}

export function savePhoneKeyFile(file: PhoneKeyFile | null): void {
  if (file === null) localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, JSON.stringify(file));
}
