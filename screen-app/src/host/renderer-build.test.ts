// The renderer check before the browser host starts: a build is used as is, and a custom directory
// without one is refused with a reason instead of building somewhere else.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { tempDir } from '../../test/fixtures.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

describe('ensureRendererBuilt', () => {
  it('uses an existing build and refuses a custom directory without one', async () => {
    const dir = tempDir();
    try {
      const logger = pino({ enabled: false });
      expect(await ensureRendererBuilt(dir.dir, logger)).toMatchObject({ ok: false });
      writeFileSync(join(dir.dir, 'index.html'), '<!doctype html>');
      expect(await ensureRendererBuilt(dir.dir, logger)).toEqual({ ok: true, built: false });
    } finally {
      dir.cleanup();
    }
  });
});
