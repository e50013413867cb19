export * from './channels.ts';
export * from './bridge-frames.ts';
export * from './tap-view.ts';
export * from './preload-api.ts';
