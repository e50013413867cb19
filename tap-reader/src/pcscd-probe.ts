// Is pcscd up and answering? Needed because @pokusew/pcsclite's constructor spins on
// SCardEstablishContext while the service is missing, which would freeze the event loop. A socket that
// merely accepts is not enough (a pcscd shutting down still does), so the probe asks for the protocol
// version the way libpcsclite does (pcsc-lite winscard_msg.h: CMD_VERSION).
import { connect } from 'node:net';

/** pcsc-lite's default; Debian and Ubuntu build it with this path. */
export const PCSCD_SOCKET_PATH = '/run/pcscd/pcscd.comm';
/** libpcsclite connects to this variable's path instead when it is set, so the probe looks there too. */
export const PCSCD_SOCKET_ENV = 'PCSCLITE_CSOCK_NAME';
export const PCSCD_PROBE_TIMEOUT_MS = 500;

const CMD_VERSION = 0x11;
/** The protocol version pcsc-lite 1.8.24 … 2.x speaks; pcscd answers with its own either way. */
const PROTOCOL_MAJOR = 4;
const PROTOCOL_MINOR = 4;
const VERSION_STRUCT_LENGTH = 12;

function versionRequest(): Buffer {
  // rxHeader { u32 size; u32 command } then version_struct { i32 major; i32 minor; u32 rv }, host order.
  const request = Buffer.alloc(8 + VERSION_STRUCT_LENGTH);
  request.writeUInt32LE(VERSION_STRUCT_LENGTH, 0);
  request.writeUInt32LE(CMD_VERSION, 4);
  request.writeInt32LE(PROTOCOL_MAJOR, 8);
  request.writeInt32LE(PROTOCOL_MINOR, 12);
  return request;
}

/** The socket libpcsclite (and so nfc-pcsc) uses in this process. */
export function pcscdSocketPath(): string {
  const configured = process.env[PCSCD_SOCKET_ENV];
  return configured === undefined || configured === '' ? PCSCD_SOCKET_PATH : configured;
}

export function probePcscd(
  socketPath = pcscdSocketPath(),
  timeoutMs = PCSCD_PROBE_TIMEOUT_MS,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path: socketPath });
    let received = 0;
    const done = (up: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(up);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write(versionRequest()));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= VERSION_STRUCT_LENGTH) done(true);
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(received >= VERSION_STRUCT_LENGTH));
  });
}
