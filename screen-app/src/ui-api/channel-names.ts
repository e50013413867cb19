// Channel names alone, without their schemas: the sandboxed preload bundles only this (no zod).
// channels.ts checks at compile time that these lists match its schema maps exactly.

export const UI_EVENT_CHANNELS = ['state', 'tap'] as const;
export const UI_ACTION_CHANNELS = ['ready', 'reportPlay', 'getCreativeUrl'] as const;

export type UiEventChannelName = (typeof UI_EVENT_CHANNELS)[number];
export type UiActionChannelName = (typeof UI_ACTION_CHANNELS)[number];

export function isUiActionChannel(value: unknown): value is UiActionChannelName {
  return typeof value === 'string' && (UI_ACTION_CHANNELS as readonly string[]).includes(value);
}

export function isUiEventChannel(value: unknown): value is UiEventChannelName {
  return typeof value === 'string' && (UI_EVENT_CHANNELS as readonly string[]).includes(value);
}

/** Electron IPC channel names: one namespace so nothing else in the app can collide with them. */
export function ipcChannelOf(channel: UiActionChannelName | UiEventChannelName): string {
  return `redtap:ui:${channel}`;
}
