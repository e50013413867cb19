export * from './identity.ts';
export * from './config.ts';
export * from './counter.ts';
export * from './taps.ts';
export * from './decks.ts';
export * from './local-caps.ts';
export * from './proof-of-play.ts';
export * from './tickets.ts';
