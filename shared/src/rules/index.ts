// The money rules both tiers apply (docs/protocol.md §7), browser-safe: `@redtap/shared/rules`.
export * from './network-rules.ts';
export * from './knowledge.ts';
export * from './judge.ts';
export * from './cases.ts';
