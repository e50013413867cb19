// The console's enrolment hint is the command docs/kiosk.md gives for enrolling a kiosk, in both languages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../src/locales/en.ts';
import { zhCN } from '../src/locales/zh-cn.ts';

const kioskGuide = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'kiosk.md'), 'utf8');
/** The guide's command up to its first option: `npm run screen -w @redtap/screen-app -- enroll`. */
const enrolCommand = /^(npm run screen .*-- enroll) --cloud/m.exec(kioskGuide)?.[1];

describe('the enrolment hint', () => {
  it.each([
    ['en', en.screens.codeHelp],
    ['zh-cn', zhCN.screens.codeHelp],
  ])('in %s gives the command of docs/kiosk.md', (_locale, hint) => {
    expect(enrolCommand).toBeDefined();
    expect(hint).toContain(`${enrolCommand ?? ''} --cloud`);
    expect(hint).toContain('--code');
  });
});
