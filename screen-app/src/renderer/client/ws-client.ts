// The UI API over the browser host's WebSocket bridge: reconnects with capped backoff, bounds the
// invokes in flight and times each out, and validates every frame from the kiosk.
import {
  BRIDGE_PENDING_MAX,
  decodeKioskFrame,
  encodeInvokeFrame,
  UiBridgeCode,
} from '../../ui-api/bridge-frames.ts';
import {
  uiActionSchemas,
  type UiActionArgs,
  type UiActionChannel,
  type UiActionResult,
  type UiApi,
  type UiEventChannel,
  type UiEventListener,
  type UiEventMap,
} from '../../ui-api/channels.ts';

const INVOKE_TIMEOUT_MS = 5_000;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

export class UiBridgeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

type AnyListener = (payload: unknown) => void;

export class WsUiClient {
  private readonly url: string;
  private socket: WebSocket | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly outbox: string[] = [];
  private readonly listeners = new Map<UiEventChannel, Set<AnyListener>>();
  private nextId = 1;
  private reconnectMs = RECONNECT_MIN_MS;
  private closed = false;

  constructor(url: string) {
    this.url = url;
    this.connect();
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }

  invoke<C extends UiActionChannel>(channel: C, args: UiActionArgs<C>): Promise<UiActionResult<C>> {
    if (this.pending.size >= BRIDGE_PENDING_MAX)
      return Promise.reject(
        new UiBridgeError(UiBridgeCode.TOO_MANY_PENDING, 'too many screen actions in flight'),
      );
    const id = this.nextId++;
    const frame = encodeInvokeFrame(id, channel, args);
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new UiBridgeError(UiBridgeCode.TIMEOUT, `${channel} timed out`));
      }, INVOKE_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(frame);
      else this.outbox.push(frame);
    }).then((value) => uiActionSchemas[channel].result.parse(value) as UiActionResult<C>);
  }

  on<C extends UiEventChannel>(channel: C, listener: UiEventListener<C>): () => void {
    const set = this.listeners.get(channel) ?? new Set<AnyListener>();
    this.listeners.set(channel, set);
    const wrapped: AnyListener = (payload) => {
      listener(payload as UiEventMap[C]);
    };
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.reconnectMs = RECONNECT_MIN_MS;
      for (const frame of this.outbox.splice(0)) socket.send(frame);
    });
    socket.addEventListener('message', (message: MessageEvent<unknown>) => {
      if (typeof message.data === 'string') this.onFrame(message.data);
    });
    socket.addEventListener('close', () => {
      this.socket = null;
      if (this.closed) return;
      // The kiosk restarted or the link blipped: keep the last screen up and try again, slower each time.
      setTimeout(() => {
        this.connect();
      }, this.reconnectMs);
      this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MAX_MS);
    });
  }

  private onFrame(text: string): void {
    const decoded = decodeKioskFrame(text);
    if (!decoded.ok) return;
    if (decoded.value.kind === 'event') {
      const { channel, payload } = decoded.value.event;
      for (const listener of this.listeners.get(channel) ?? []) listener(payload);
      return;
    }
    const result = decoded.value.result;
    const pending = this.pending.get(result.id);
    if (pending === undefined) return;
    this.pending.delete(result.id);
    clearTimeout(pending.timer);
    if (result.ok) pending.resolve(result.value);
    else pending.reject(new UiBridgeError(result.code, result.message));
  }
}

export function wsUiApi(url: string): UiApi {
  const client = new WsUiClient(url);
  return {
    ready: (args) => client.invoke('ready', args),
    reportPlay: (args) => client.invoke('reportPlay', args),
    getCreativeUrl: (args) => client.invoke('getCreativeUrl', args),
    on: (channel, listener) => client.on(channel, listener),
  };
}
