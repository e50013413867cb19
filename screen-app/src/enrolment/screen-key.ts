// The screen's P-256 private key on disk: a PKCS#8 PEM file readable by its owner only (mode 0600).
import { closeSync, fsyncSync, openSync, statSync, writeSync, readFileSync } from 'node:fs';
import { exportPrivateKeyPem, importPrivateKeyPem, type KeyPair } from '@redtap/shared';
import { KioskCode, refuse, type Refusal } from '../codes.ts';

export const SCREEN_KEY_FILE = 'screen-key.pem';
const KEY_FILE_MODE = 0o600;

/** Writes the key durably with mode 0600; refuses to overwrite an existing file. */
export function writeScreenKey(path: string, key: KeyPair): void {
  const fd = openSync(path, 'wx', KEY_FILE_MODE);
  try {
    writeSync(fd, exportPrivateKeyPem(key.privateKey));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Loads the key, refusing a file that group or others can read: the key never leaves this kiosk. */
export function loadScreenKey(path: string): { ok: true; value: KeyPair } | Refusal {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0)
    return refuse(KioskCode.KEY_FILE_INSECURE, `${path} has mode ${mode.toString(8)}; expected 600`);
  return { ok: true, value: importPrivateKeyPem(readFileSync(path, 'utf8')) };
}
