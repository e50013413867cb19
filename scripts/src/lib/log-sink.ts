// Where the launcher's logs go: readable lines on the console for people (pino-pretty), or JSON with
// --json-logs, and always JSON lines appended to a file. Child processes log JSON on stdout; their lines
// join the same streams, so one console shows the cloud, the kiosks and the launcher together.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import prettyStream from 'pino-pretty';

export interface LogSink {
  logger: Logger;
  /** One JSON log line from a child process. */
  writeLine(line: string): void;
  close(): Promise<void>;
  /**
   * Resolves once the console has had no line for `quietMs` (start-up's burst is over), or after
   * `waitMaxMs` at most, so what is printed next is not buried under it.
   */
  whenQuiet(quietMs: number, waitMaxMs: number): Promise<void>;
}

const QUIET_POLL_MS = 100;

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export function createLogSink(options: { json: boolean; level: string; file?: string }): LogSink {
  const consoleStream: Writable = options.json
    ? process.stdout
    : prettyStream({
        colorize: process.stdout.isTTY,
        translateTime: 'HH:MM:ss',
        ignore: 'pid,hostname,service',
        messageFormat: '{if service}[{service}] {end}{msg}',
        singleLine: true,
        destination: 1,
        sync: true,
      });
  let file: WriteStream | null = null;
  if (options.file !== undefined) {
    mkdirSync(dirname(options.file), { recursive: true });
    file = createWriteStream(options.file, { flags: 'a' });
  }
  const consoleLevel = LEVELS[options.level] ?? LEVELS.info ?? 30;
  let lastLineAtMs = Date.now();
  const toConsole = (text: string) => {
    lastLineAtMs = Date.now();
    consoleStream.write(text);
  };
  const consoleEntry = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      toConsole(chunk.toString());
      done();
    },
  });
  const streams: pino.StreamEntry[] = [{ level: options.level as pino.Level, stream: consoleEntry }];
  if (file !== null) streams.push({ level: 'debug', stream: file });
  const logger = pino({ level: 'debug', base: null }, pino.multistream(streams));
  return {
    logger,
    writeLine(line: string) {
      if (line.trim() === '') return;
      file?.write(`${line}\n`);
      // Console: only lines at or above the console level; a line that is not JSON is shown as is.
      let level = consoleLevel;
      try {
        const parsed = JSON.parse(line) as { level?: unknown };
        if (typeof parsed.level === 'number') level = parsed.level;
      } catch {
        toConsole(`${JSON.stringify({ level: 30, time: Date.now(), msg: line })}\n`);
        return;
      }
      if (level >= consoleLevel) toConsole(`${line}\n`);
    },
    whenQuiet: (quietMs, waitMaxMs) =>
      new Promise<void>((resolve) => {
        const deadlineMs = Date.now() + waitMaxMs;
        const check = () => {
          const nowMs = Date.now();
          if (nowMs - lastLineAtMs >= quietMs || nowMs >= deadlineMs) resolve();
          else setTimeout(check, QUIET_POLL_MS);
        };
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (file === null) resolve();
        else file.end(() => resolve());
      }),
  };
}
