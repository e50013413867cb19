// A sticker's UID as typed or scanned on the screen page: 7 bytes of hex, printed separators ignored.
import { describe, expect, it } from 'vitest';
import { tagUidOf } from '../src/lib/tag-uid.ts';

describe('tagUidOf', () => {
  it.each([
    ['04de5f1eacc040', '04de5f1eacc040'],
    [' 04DE5F1EACC040 ', '04de5f1eacc040'],
    ['04:DE:5F:1E:AC:C0:40', '04de5f1eacc040'],
    ['04-de-5f-1e-ac-c0-40', '04de5f1eacc040'],
    ['04 de 5f 1e ac c0 40', '04de5f1eacc040'],
    ['https://hb.example/s?uid=04DE5F1EACC040&ctr=000001', '04de5f1eacc040'],
  ])('reads %j as %s', (text, uid) => {
    expect(tagUidOf(text)).toBe(uid);
  });

  it.each(['', '04de5f1eacc0', '04de5f1eacc0400', 'zzde5f1eacc040', 'https://hb.example/s?b=1', 'http://['])(
    'refuses %j',
    (text) => {
      expect(tagUidOf(text)).toBeNull();
    },
  );
});
