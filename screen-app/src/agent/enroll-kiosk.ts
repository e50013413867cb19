// Enrolment as the CLI runs it: opens the data directory's store, enrols against the cloud and remembers
// the cloud URL for content downloads. Refusals carry a code and a message a person can act on.
import { ErrorCode } from '@redtap/shared';
import { KioskCode, type Refusal } from '../codes.ts';
import { enroll, type EnrollResult } from '../enrolment/enroll.ts';
import { openStore } from '../store/open-store.ts';
import { ensureDataDir, kioskPaths, writeAgentSettings } from './data-dir.ts';

export interface EnrollKioskOptions {
  dataDir: string;
  cloudUrl: string;
  code: string;
  force?: boolean;
  fetch?: typeof fetch;
  requestTimeoutMs?: number;
}

export async function enrollKiosk(options: EnrollKioskOptions): Promise<EnrollResult> {
  const paths = kioskPaths(options.dataDir);
  ensureDataDir(paths);
  const store = openStore({ path: paths.storePath });
  try {
    const result = await enroll({
      cloudUrl: options.cloudUrl,
      code: options.code,
      dataDir: paths.dataDir,
      store,
      ...(options.force === undefined ? {} : { force: options.force }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    });
    if (result.ok) writeAgentSettings(paths, { cloudUrl: options.cloudUrl.replace(/\/+$/, '') });
    return result;
  } finally {
    store.close();
  }
}

const ADVICE: Partial<Record<string, string>> = {
  [ErrorCode.ENROLMENT_CODE_INVALID]:
    'the enrolment code is not valid: check the 8 characters, or ask the operator for a new code',
  [ErrorCode.ENROLMENT_CODE_EXPIRED]: 'the enrolment code has expired (codes last 24 h): ask for a new one',
  [ErrorCode.ENROLMENT_CODE_USED]:
    'the enrolment code has already been used: each code enrols one kiosk once; ask for a new one',
  [ErrorCode.ENROLMENT_SIGNATURE_INVALID]: 'the cloud did not accept this kiosk key; try again',
  [ErrorCode.RATE_LIMITED]: 'too many enrolment attempts: wait a minute and try again',
  [KioskCode.ALREADY_ENROLLED]: 'this kiosk is already enrolled; pass --force to re-enrol it with a new key',
  [KioskCode.ENROLMENT_UNREACHABLE]: 'the cloud could not be reached: check --cloud and the network',
  [KioskCode.ENROLMENT_REPLY_INVALID]:
    'the cloud answered with something unexpected: is --cloud a RedTap cloud?',
  [KioskCode.NOT_ENROLLED]: 'this kiosk is not enrolled: run `redtap-screen enroll --cloud URL --code CODE`',
  [KioskCode.KEY_FILE_INSECURE]: 'the screen key file is readable by others: chmod 600 it',
  [KioskCode.KEY_MISMATCH]: 'the screen key file does not belong to this enrolment: restore it, or re-enrol',
};

/** One line for a person: what went wrong and what to do, with the stable code for support. */
export function describeRefusal(refusal: Refusal<string>): string {
  const advice = ADVICE[refusal.code];
  // The enrolment client already prefixes the cloud's code to its message.
  const detail = refusal.message.startsWith(`${refusal.code}:`)
    ? refusal.message
    : `${refusal.code}: ${refusal.message}`;
  return advice === undefined ? detail : `${advice} (${detail})`;
}
