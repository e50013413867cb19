// The cluster's processes: started detached (each its own process group, output appended to a log file
// in the state directory) so `npm run cluster -- up` can return and leave them running, and stopped by
// pid from any later process. Readiness and exits are bounded polls, never fixed sleeps.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `spec` detached; its stdout and stderr go to its log file. Returns its pid. */
export function startDaemon(spec: DaemonSpec): number {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`${spec.name}: ${spec.command} did not start`);
    // The cluster outlives the command that started it; Node still reaps the child if it exits first.
    child.unref();
    child.on('error', () => undefined);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Whether `pid` is a live process (a zombie waiting to be reaped counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  options: {
    timeoutMs: number;
    intervalMs?: number;
    detail?: () => string;
    /** Why waiting is pointless (the process exited), or null: checked before every probe. */
    gone?: () => string | null;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    const gone = options.gone?.() ?? null;
    if (gone !== null) {
      const detail = options.detail?.() ?? '';
      throw new Error(`${what}: ${gone}${detail ? `\n${detail}` : ''}`);
    }
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const detail = options.detail?.() ?? '';
      throw new Error(`${what}: not within ${options.timeoutMs} ms${cause}${detail ? `\n${detail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

/** SIGTERM, then SIGKILL once `timeoutMs` has passed; resolves when the process is gone. */
export async function stopPid(pid: number, timeoutMs: number): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  try {
    await waitFor(`pid ${pid} to exit`, () => !isAlive(pid), { timeoutMs, intervalMs: 100 });
  } catch {
    killPids([pid]);
    await waitFor(`pid ${pid} to die`, () => !isAlive(pid), { timeoutMs: 5_000, intervalMs: 50 });
  }
}

export function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Every live process whose parent is `pid` (a postmaster's backends and helpers). */
export async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // It exited while we looked.
    }
  }
  return children;
}

/** The last `bytes` of a log file, for failure messages. */
export function logTail(file: string, bytes = 4_000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

/**
 * A free loopback port below the kernel's ephemeral range (32768 and up on Linux), so no outgoing
 * connection takes it between choosing it and the process binding it (processes start seconds later).
 */
export async function freeFixedPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free loopback port between 20000 and 32000');
}
