// The console's Mantine theme: red-packet red as the primary colour, system CJK-capable fonts.
import { createTheme, type MantineColorsTuple } from '@mantine/core';

const packet: MantineColorsTuple = [
  '#ffeceb',
  '#fcd7d5',
  '#f4aca8',
  '#ed7f78',
  '#e7584f',
  '#e34036',
  '#e23229',
  '#c9251d',
  '#b41e18',
  '#9d1211',
];

export const theme = createTheme({
  primaryColor: 'packet',
  // Shade 7 on white keeps text and filled buttons above WCAG AA contrast.
  primaryShade: 7,
  colors: { packet },
  fontFamily:
    '-apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif',
  defaultRadius: 'md',
  // People who ask their system for less motion get no modal or toast animations.
  respectReducedMotion: true,
  headings: { fontWeight: '650' },
});
