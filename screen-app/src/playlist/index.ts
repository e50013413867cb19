export * from './local-time.ts';
export * from './playlist.ts';
export * from './playlist-player.ts';
