// Public surface of @redtap/tap-reader.
export * from './types.ts';
export * from './transport.ts';
export * from './timers.ts';
export * from './exchange.ts';
export * from './tap-events.ts';
export * from './virtual-card.ts';
export * from './virtual-phone.ts';
export * from './direct-transport.ts';
export * from './simulated-reader.ts';
export * from './pcsc-reader.ts';
export * from './pcscd-probe.ts';
export * from './private-pcscd.ts';
export * from './backoff.ts';
export * from './vpcd-framing.ts';
export * from './vpcd-adapter.ts';
export * from './prng.ts';
export * from './demo-kiosk.ts';
