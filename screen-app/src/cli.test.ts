// The redtap-screen CLI through its bin shim: clear refusals before enrolment, and status of an empty kiosk.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/fixtures.ts';

const BIN = fileURLToPath(new URL('../bin/redtap-screen.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('redtap-screen', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('explains what to do before enrolment, and refuses a malformed code', async () => {
    const [status, run, enroll] = await Promise.all([
      cli(['status', '--data-dir', dir.dir]),
      cli(['run', '--data-dir', dir.dir]),
      cli(['enroll', '--cloud', 'http://127.0.0.1:9', '--code', 'nope', '--data-dir', dir.dir]),
    ]);
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toContain('not enrolled');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('NOT_ENROLLED');
    expect(enroll.code).toBe(1);
    expect(enroll.stderr).toContain('the enrolment code is not valid');
  });
});
