/**
 * A push queue read as an async iterator: the poller pushes, the subscription's SSE stream pulls
 * (at the pace the client reads). `end` finishes the stream after what is queued (a complete
 * event); `fail` finishes it with an error; `return` (the client went away) calls `onClose`.
 */
export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private rejectWaiting: ((e: Error) => void) | undefined;
  private ended = false;
  private error: Error | undefined;

  constructor(
    /** Queued items beyond this end the stream with `overflow()`: a client that stopped reading. */
    private readonly capacity: number,
    private readonly overflow: () => Error,
    private readonly onClose: () => void,
  ) {}

  get closed(): boolean {
    return this.ended;
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.rejectWaiting = undefined;
      resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.capacity) {
      this.fail(this.overflow());
      return;
    }
    this.items.push(item);
  }

  /** Finishes the stream once the queued items are read. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onClose();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.rejectWaiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  /** Finishes the stream with an error, dropping what is queued. */
  fail(error: Error): void {
    if (this.ended) return;
    this.items.length = 0;
    this.ended = true;
    this.onClose();
    if (this.rejectWaiting) {
      // The waiting reader takes the error; the stream is over for any later read.
      const reject = this.rejectWaiting;
      this.waiting = this.rejectWaiting = undefined;
      reject(error);
    } else {
      this.error = error;
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.error !== undefined) {
      const error = this.error;
      this.error = undefined;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.rejectWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
