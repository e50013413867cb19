export * from './coupon-code.ts';
export * from './coupon-errors.ts';
export * from './guess-limiter.ts';
