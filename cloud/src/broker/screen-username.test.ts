import { describe, expect, it } from 'vitest';
import { parseScreenUsername } from './screen-username.ts';

describe('parseScreenUsername', () => {
  it('reads the id of a screen username', () => {
    expect(parseScreenUsername('screen-1')).toBe(1);
    expect(parseScreenUsername('screen-9007199254740991')).toBe(9007199254740991);
  });

  it('refuses every other spelling', () => {
    for (const username of [
      '',
      'screen-',
      'screen-0',
      'screen-01',
      'screen--1',
      'screen-1 ',
      'Screen-1',
      'screen-1/taps',
      'screen-9007199254740993',
      'screen-99999999999999999',
      'redtap-cloud',
    ]) {
      expect(parseScreenUsername(username)).toBeNull();
    }
  });
});
