import { BoundedQueue } from './bounded-queue';

describe('BoundedQueue', () => {
  it('should hand items back oldest first when taken in several slices', () => {
    const q = new BoundedQueue<number>(4);
    for (const n of [1, 2, 3]) q.push(n);
    expect(q.take(2)).toEqual([1, 2]);
    q.push(4);
    q.push(5);
    q.push(6);
    expect(q.size).toBe(4);
    expect(q.take(10)).toEqual([3, 4, 5, 6]);
    expect(q.size).toBe(0);
  });

  it('should refuse and count items when full', () => {
    const q = new BoundedQueue<number>(2);
    const t0 = new Date('2024-05-14T10:00:00Z');
    const t1 = new Date('2024-05-14T10:00:05Z');
    expect(q.push(1, t0)).toBe(true);
    expect(q.push(2, t0)).toBe(true);
    expect(q.push(3, t0)).toBe(false);
    expect(q.push(4, t1)).toBe(false);
    expect(q.dropped).toBe(2);
    expect(q.takeOverflow()).toEqual({ dropped: 2, from: t0, to: t1 });
    expect(q.takeOverflow()).toBeNull();
  });

  it('should accept again after a take when it had overflowed', () => {
    const q = new BoundedQueue<string>(1);
    q.push('a');
    expect(q.push('b')).toBe(false);
    q.take(1);
    expect(q.push('c')).toBe(true);
    expect(q.take(1)).toEqual(['c']);
  });

  it('should wake a waiting consumer when an item arrives', async () => {
    const q = new BoundedQueue<number>(3);
    const woke = q.whenNotEmpty().then(() => q.take(5));
    q.push(7);
    await expect(woke).resolves.toEqual([7]);
  });

  it('should reject a capacity that is not a positive integer', () => {
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
  });

  it('should refuse items over the byte budget and take them again once the writer drains it', () => {
    const q = new BoundedQueue<string>(100, { maxBytes: 10, sizeOf: (x) => x.length });
    expect(q.push('aaaa')).toBe(true);
    expect(q.push('bbbb')).toBe(true);
    expect(q.push('ccc')).toBe(false);
    expect(q.push('dd')).toBe(true);
    expect(q.bytes).toBe(10);
    expect(q.dropped).toBe(1);
    expect(q.take(1)).toEqual(['aaaa']);
    expect(q.bytes).toBe(6);
    expect(q.push('ccc')).toBe(true);
    expect(q.takeOverflow()).toEqual(expect.objectContaining({ dropped: 1 }));
  });

  it('should take an item larger than the whole budget when the queue is empty', () => {
    const q = new BoundedQueue<string>(100, { maxBytes: 4, sizeOf: (x) => x.length });
    expect(q.push('a multi-MiB event')).toBe(true);
    expect(q.push('b')).toBe(false);
    q.take(1);
    expect(q.bytes).toBe(0);
    expect(q.push('b')).toBe(true);
  });
});
