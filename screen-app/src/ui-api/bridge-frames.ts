// Frames of the WebSocket bridge that carries the UI API in browser host mode: invoke/result for
// actions, event for kiosk → screen pushes. Both ends validate what they receive; nothing here throws.
import { z } from 'zod';
import {
  isUiActionChannel,
  isUiEventChannel,
  uiActionSchemas,
  uiEventSchemas,
  type UiActionArgs,
  type UiActionChannel,
  type UiEventChannel,
  type UiEventMap,
} from './channels.ts';

/** A bridge frame is small JSON; anything bigger is refused before parsing. */
export const BRIDGE_FRAME_BYTES_MAX = 64 * 1024;
/** Invokes a screen may have outstanding at once. */
export const BRIDGE_PENDING_MAX = 32;

export const UiBridgeCode = {
  FRAME_INVALID: 'FRAME_INVALID',
  CHANNEL_UNKNOWN: 'CHANNEL_UNKNOWN',
  ARGS_INVALID: 'ARGS_INVALID',
  ACTION_FAILED: 'ACTION_FAILED',
  TOO_MANY_PENDING: 'TOO_MANY_PENDING',
  DISCONNECTED: 'DISCONNECTED',
  TIMEOUT: 'TIMEOUT',
} as const;
export type UiBridgeCode = (typeof UiBridgeCode)[keyof typeof UiBridgeCode];

const InvokeFrame = z.object({
  kind: z.literal('invoke'),
  id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  channel: z.string().max(64),
  args: z.unknown(),
});

const ResultFrame = z.discriminatedUnion('ok', [
  z.object({
    kind: z.literal('result'),
    id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    ok: z.literal(true),
    value: z.unknown(),
  }),
  z.object({
    kind: z.literal('result'),
    id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    ok: z.literal(false),
    code: z.string().max(64),
    message: z.string().max(500),
  }),
]);

const EventFrame = z.object({ kind: z.literal('event'), channel: z.string().max(64), payload: z.unknown() });

export type Decoded<T> = { ok: true; value: T } | { ok: false; code: UiBridgeCode; message: string };

export type DecodedInvoke = {
  [C in UiActionChannel]: { id: number; channel: C; args: UiActionArgs<C> };
}[UiActionChannel];

export type DecodedEvent = { [C in UiEventChannel]: { channel: C; payload: UiEventMap[C] } }[UiEventChannel];

export type DecodedResult =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; code: string; message: string };

function parseJson(text: string): Decoded<unknown> {
  if (text.length > BRIDGE_FRAME_BYTES_MAX)
    return { ok: false, code: UiBridgeCode.FRAME_INVALID, message: 'frame too large' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, code: UiBridgeCode.FRAME_INVALID, message: 'frame is not JSON' };
  }
}

/** Kiosk side: a frame from the screen. The channel must be an action and the args must match it. */
export function decodeInvokeFrame(text: string): Decoded<DecodedInvoke> & { id?: number } {
  const json = parseJson(text);
  if (!json.ok) return json;
  const frame = InvokeFrame.safeParse(json.value);
  if (!frame.success) return { ok: false, code: UiBridgeCode.FRAME_INVALID, message: 'not an invoke frame' };
  const { id, channel, args } = frame.data;
  if (!isUiActionChannel(channel))
    return { ok: false, id, code: UiBridgeCode.CHANNEL_UNKNOWN, message: `no action ${channel}` };
  const parsed = uiActionSchemas[channel].args.safeParse(args);
  if (!parsed.success)
    return { ok: false, id, code: UiBridgeCode.ARGS_INVALID, message: `bad arguments for ${channel}` };
  return { ok: true, value: { id, channel, args: parsed.data } as DecodedInvoke };
}

/** Screen side: a frame from the kiosk, either an action's result or an event with a valid payload. */
export function decodeKioskFrame(
  text: string,
): Decoded<{ kind: 'result'; result: DecodedResult } | { kind: 'event'; event: DecodedEvent }> {
  const json = parseJson(text);
  if (!json.ok) return json;
  const event = EventFrame.safeParse(json.value);
  if (event.success) {
    const { channel, payload } = event.data;
    if (!isUiEventChannel(channel))
      return { ok: false, code: UiBridgeCode.CHANNEL_UNKNOWN, message: `no event ${channel}` };
    const parsed = uiEventSchemas[channel].safeParse(payload);
    if (!parsed.success)
      return { ok: false, code: UiBridgeCode.ARGS_INVALID, message: `bad payload for ${channel}` };
    return { ok: true, value: { kind: 'event', event: { channel, payload: parsed.data } as DecodedEvent } };
  }
  const result = ResultFrame.safeParse(json.value);
  if (!result.success) return { ok: false, code: UiBridgeCode.FRAME_INVALID, message: 'unknown frame' };
  const { kind: _kind, ...rest } = result.data;
  return { ok: true, value: { kind: 'result', result: rest } };
}

export function encodeInvokeFrame<C extends UiActionChannel>(
  id: number,
  channel: C,
  args: UiActionArgs<C>,
): string {
  return JSON.stringify({ kind: 'invoke', id, channel, args });
}

export function encodeEventFrame<C extends UiEventChannel>(channel: C, payload: UiEventMap[C]): string {
  return JSON.stringify({ kind: 'event', channel, payload });
}

export function encodeResultFrame(result: DecodedResult): string {
  return JSON.stringify({ kind: 'result', ...result });
}
