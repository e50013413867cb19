import { describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue.ts';

describe('FairQueue', () => {
  it('serves keys round-robin and bounds each key and the whole queue', () => {
    const queue = new FairQueue<number, string>({ perKeyMax: 3, totalMax: 5 });
    for (let i = 0; i < 10; i++) queue.push(1, `flood${i}`);
    expect(queue.countOf(1)).toBe(3);
    expect(queue.push(2, 'honest')).toBe(true);
    expect(queue.push(3, 'other')).toBe(true);
    expect(queue.push(4, 'full')).toBe(false);
    expect(queue.peek()).toBe('flood0');
    expect(queue.drainAll()).toEqual(['flood0', 'honest', 'other', 'flood1', 'flood2']);
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it('lets a push name a larger share for its key', () => {
    const queue = new FairQueue<string, number>({ perKeyMax: 1, totalMax: 10 });
    expect(queue.push('http', 1, 10)).toBe(true);
    expect(queue.push('http', 2, 10)).toBe(true);
    expect(queue.push('screen', 3)).toBe(true);
    expect(queue.push('screen', 4)).toBe(false);
    expect(queue.drainAll()).toEqual([1, 3, 2]);
  });
});
