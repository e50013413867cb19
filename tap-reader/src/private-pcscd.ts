// A pcscd of the caller's own, for tests: other PC/SC clients on the machine (`npm start`'s screen 1
// reading "Virtual PCD 00 00", a developer's reader tool) never see its readers, and it never sees theirs.
//
// pcsc-lite 1.9 hard-codes its socket and pid file under /run/pcscd and refuses to start while another
// pcscd's pid file is there, so this one runs in a private mount namespace (`unshare --mount`) with a
// temporary directory bind-mounted over /run/pcscd: its socket lands in that directory, where clients
// reach it through libpcsclite's PCSCLITE_CSOCK_NAME. Its vpcd readers get a name and TCP ports of their
// own (a reader.conf of its own, `pcscd --config`), so the system pcscd's vpcd ports are not touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probePcscd } from './pcscd-probe.ts';

export const PCSCD_BINARY = '/usr/sbin/pcscd';
export const VPCD_DRIVER_PATH = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
/** The reader name vpcd's readers get here ("… 00 00", "… 00 01"), unlike the system's "Virtual PCD". */
export const PRIVATE_READER_NAME = 'RedTap Test PCD';
export const PRIVATE_PCSCD_START_TIMEOUT_MS = 10_000;
const PROBE_INTERVAL_MS = 50;
const OUTPUT_CHARS_MAX = 4_000;

/** Whether this machine has what a private pcscd needs (the daemon and the vpcd driver). */
export function privatePcscdAvailable(): boolean {
  return existsSync(PCSCD_BINARY) && existsSync(VPCD_DRIVER_PATH);
}

/** Two consecutive free TCP ports on loopback: vpcd listens on `port` and `port + 1`. */
async function freePortPair(): Promise<number> {
  const listen = (port: number) =>
    new Promise<ReturnType<typeof createServer> | null>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen({ port, host: '0.0.0.0', exclusive: true }, () => resolve(server));
    });
  const close = (server: ReturnType<typeof createServer>) =>
    new Promise<void>((resolve) => server.close(() => resolve()));
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await listen(0);
    if (first === null) continue;
    const address = first.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const second = port > 0 && port < 65_535 ? await listen(port + 1) : null;
    await close(first);
    if (second !== null) {
      await close(second);
      return port;
    }
  }
  throw new Error('no two consecutive free TCP ports for vpcd');
}

export class PrivatePcscd {
  readonly socketPath: string;
  readonly readerNames: readonly [string, string];
  readonly ports: readonly [number, number];
  private readonly dir: string;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.socketPath = join(dir, 'run', 'pcscd.comm');
    this.readerNames = [`${PRIVATE_READER_NAME} 00 00`, `${PRIVATE_READER_NAME} 00 01`];
    this.ports = [port, port + 1];
  }

  /** Writes the private reader.conf and starts pcscd; resolves once it answers on its socket. */
  static async start(): Promise<PrivatePcscd> {
    const dir = mkdtempSync(join(tmpdir(), 'redtap-pcscd-'));
    mkdirSync(join(dir, 'run'));
    mkdirSync(join(dir, 'conf'));
    const port = await freePortPair();
    const channel = `0x${port.toString(16).toUpperCase()}`;
    writeFileSync(
      join(dir, 'conf', 'vpcd'),
      [
        `FRIENDLYNAME "${PRIVATE_READER_NAME}"`,
        `DEVICENAME   /dev/null:${channel}`,
        `LIBPATH      ${VPCD_DRIVER_PATH}`,
        `CHANNELID    ${channel}`,
        '',
      ].join('\n'),
    );
    const pcscd = new PrivatePcscd(dir, port);
    try {
      await pcscd.restart();
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return pcscd;
  }

  /** The pcscd's pid while it runs (unshare and sh exec into it, so it is our child itself). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts pcscd again (after `stop()`), with the same socket, readers and ports. */
  async restart(): Promise<void> {
    if (this.child !== null) throw new Error('the private pcscd is already running');
    this.output = '';
    // Root can unshare a mount namespace directly; anyone else needs a user namespace for the mount.
    const asRoot = process.getuid?.() === 0;
    const child = spawn(
      'unshare',
      [
        ...(asRoot ? [] : ['--map-root-user']),
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mkdir -p /run/pcscd && mount --bind "$0" /run/pcscd && exec "$1" --foreground --config "$2"',
        join(this.dir, 'run'),
        PCSCD_BINARY,
        join(this.dir, 'conf'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_CHARS_MAX);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.child = child;
    const state = { exited: false };
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        state.exited = true;
        if (this.child === child) this.child = null;
        resolve();
      });
    });
    const deadline = Date.now() + PRIVATE_PCSCD_START_TIMEOUT_MS;
    // Bounded poll: pcscd says nothing when its socket starts answering.
    while (!(await probePcscd(this.socketPath))) {
      if (state.exited || Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `the private pcscd did not start (unshare --mount needs root or user namespaces): ${this.output.trim()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  }

  /** Stops pcscd (SIGTERM) and resolves when it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await this.exited;
  }

  /** Stops pcscd and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
