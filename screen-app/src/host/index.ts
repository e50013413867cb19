export * from './kiosk-ui-port.ts';
export * from './kiosk-ui-hub.ts';
export * from './tap-feed.ts';
export * from './ui-actions.ts';
export * from './ws-bridge.ts';
export * from './browser-host.ts';
export * from './sim-tap.ts';
export * from './renderer-build.ts';
