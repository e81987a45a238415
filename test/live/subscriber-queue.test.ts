import { expect, it } from 'vitest';
import { SubscriberQueue } from '../../src/live/subscriber-queue.ts';

function queue(capacity = 3) {
  const closed: number[] = [];
  const q = new SubscriberQueue<number>(capacity, () => new Error('lagging'), () => closed.push(1));
  return { q, closed };
}

it('hands pushed items to the reader in order, and to a reader already waiting', async () => {
  const { q } = queue();
  const waiting = q.next();
  q.push(1);
  q.push(2);
  expect(await waiting).toEqual({ value: 1, done: false });
  expect(await q.next()).toEqual({ value: 2, done: false });
});

it('ends with the overflow error, once, when a reader lets more than its capacity wait', async () => {
  const { q, closed } = queue(3);
  for (const n of [1, 2, 3, 4, 5]) q.push(n);
  expect(closed).toHaveLength(1);
  await expect(q.next()).rejects.toThrow('lagging');
  expect(await q.next()).toEqual({ value: undefined, done: true });
});

it('delivers what is queued before ending, and closes once', async () => {
  const { q, closed } = queue();
  q.push(1);
  q.end();
  q.end();
  q.push(2);
  expect(await q.next()).toEqual({ value: 1, done: false });
  expect(await q.next()).toEqual({ value: undefined, done: true });
  expect(closed).toHaveLength(1);
});

it('answers a waiting reader with done when the client goes away (return)', async () => {
  const { q, closed } = queue();
  const waiting = q.next();
  await q.return();
  expect(await waiting).toEqual({ value: undefined, done: true });
  expect(closed).toHaveLength(1);
});

it('gives a reader already waiting the error of fail(), once: the next read is done', async () => {
  const { q, closed } = queue();
  const waiting = q.next();
  q.fail(new Error('signed out'));
  await expect(waiting).rejects.toThrow('signed out');
  expect(await q.next()).toEqual({ value: undefined, done: true });
  expect(closed).toHaveLength(1);
});
