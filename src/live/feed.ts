import { stillSignedIn } from '../auth/signed-in.ts';
import { SIGNED_OUT_MESSAGE, type Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import type { SqlFragment } from '../db/sql.ts';
import { interceptionConditions, type InterceptionFilter } from '../domain/interception-filter.ts';
import type { InterceptionRow } from '../domain/interceptions.ts';
import { epochMillis } from '../domain/values.ts';
import { compareKeys, LATE_WINDOW_MS, pollEnded, POLL_BATCH, startingWatermark, type Watermark } from './poll.ts';
import { SubscriberQueue } from './subscriber-queue.ts';

export interface LiveOptions {
  /** Interval between polls while interceptions keep ending (LIVE_POLL_MS). */
  pollMs: number;
  /** The idle backoff doubles the interval up to this (LIVE_POLL_MAX_MS). */
  pollMaxMs: number;
  /** Open subscriptions per user (LIVE_MAX_PER_USER). */
  maxPerUser: number;
  /** Open subscriptions in this process (LIVE_MAX_SUBSCRIPTIONS). */
  maxSubscriptions: number;
  /** How late a row may become visible and still be delivered (LATE_WINDOW_MS; tests shorten it). */
  lateWindowMs: number;
  /**
   * How often the subscribers' API keys are checked again (one statement for all of them, run
   * with a poll): a stream whose key was deleted or expired, or whose user was suspended, deleted
   * or given other read rights since it opened, ends with UNAUTHENTICATED within about this long.
   */
  authRecheckMs: number;
  /** A failed poll (the feed keeps polling, backing off); default: ignored. */
  onError?: (error: unknown) => void;
}

export const LIVE_DEFAULTS: LiveOptions = {
  pollMs: 1000,
  pollMaxMs: 5000,
  maxPerUser: 10,
  maxSubscriptions: 1000,
  lateWindowMs: LATE_WINDOW_MS,
  authRecheckMs: 10_000,
};

/**
 * Events a subscriber may have waiting: a client that reads nothing for this many completed
 * interceptions is disconnected (SubscriptionError 'lagging') rather than buffered without end.
 */
export const SUBSCRIBER_BACKLOG = 1000;

/** Why a subscription was refused or ended; the GraphQL layer turns it into a coded error. */
export class SubscriptionError extends Error {
  constructor(
    readonly reason: 'per-user' | 'process' | 'shutting-down' | 'lagging' | 'signed-out',
    readonly max?: number,
  ) {
    super(
      reason === 'per-user'
        ? `You already hold the maximum of ${max} live subscriptions; close one first.`
        : reason === 'process'
          ? `The server holds the maximum of ${max} live subscriptions; retry later.`
          : reason === 'shutting-down'
            ? 'The server is shutting down; reconnect in a moment.'
            : reason === 'signed-out'
              ? SIGNED_OUT_MESSAGE
              : `More than ${max} events were waiting for this subscription; it was closed. Reconnect and read faster.`,
    );
    this.name = 'SubscriptionError';
  }
}

interface Subscriber {
  viewer: Viewer;
  /** Which rows this subscriber's condition selects: subscribers with the same key share one condition. */
  key: string;
  condition: SqlFragment;
  queue: SubscriberQueue<InterceptionRow>;
  /** Rows at or below this were read before the subscriber joined; null until its first poll. */
  since: Watermark | null;
}

/**
 * Completed interceptions for live subscriptions, read by one poller per feed (one feed per app)
 * however many subscribers there are: one statement per interval, with each subscriber's
 * visibility and filter as a condition of that statement (src/live/poll.ts). The poller starts
 * with the first subscriber and stops after the last; while nothing new ends it backs off.
 */
export class LiveFeed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly perUser = new Map<string, number>();
  private watermark: Watermark | null = null;
  /** Ids read in the late window below the watermark, with their ended_at (see LATE_WINDOW_MS). */
  private readonly read = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private interval: number;
  private closing = false;
  /** Bumped on every stop, so a poll in flight when the poller stopped is discarded. */
  private generation = 0;
  /** When the subscribers' keys were last known valid (the poller's start: each had just authenticated). */
  private authCheckedAt = 0;

  constructor(
    private readonly db: Queryable,
    private readonly options: LiveOptions = LIVE_DEFAULTS,
  ) {
    this.interval = options.pollMs;
  }

  /**
   * Completed interceptions visible to `viewer` and matching `filter`, from now on, in
   * (ended_at, id) order. Throws SubscriptionError when a limit is reached or the feed is closing.
   */
  subscribe(viewer: Viewer, filter: InterceptionFilter): AsyncIterableIterator<InterceptionRow> {
    if (this.closing) throw new SubscriptionError('shutting-down');
    if (this.subscribers.size >= this.options.maxSubscriptions) throw new SubscriptionError('process', this.options.maxSubscriptions);
    const held = this.perUser.get(viewer.id) ?? 0;
    if (held >= this.options.maxPerUser) throw new SubscriptionError('per-user', this.options.maxPerUser);
    const completedOnly: InterceptionFilter = { ...filter, includeInFlight: false };
    const subscriber: Subscriber = {
      viewer,
      key: JSON.stringify([viewer.seesAll ? '*' : viewer.id, Object.entries(completedOnly).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1))]),
      condition: interceptionConditions(viewer, completedOnly),
      since: null,
      queue: new SubscriberQueue<InterceptionRow>(
        SUBSCRIBER_BACKLOG,
        () => new SubscriptionError('lagging', SUBSCRIBER_BACKLOG),
        () => this.remove(subscriber),
      ),
    };
    this.subscribers.add(subscriber);
    this.perUser.set(viewer.id, held + 1);
    if (this.subscribers.size === 1) {
      // Not in start(), which a failed first statement retries: a key revoked during an outage
      // must not gain another interval.
      this.authCheckedAt = Date.now();
      this.start();
    }
    return subscriber.queue;
  }

  /** Ends every subscription (their streams complete), stops polling and refuses new subscribers. */
  async close(): Promise<void> {
    this.closing = true;
    for (const s of [...this.subscribers]) s.queue.end();
    await this.running;
  }

  private remove(s: Subscriber) {
    if (!this.subscribers.delete(s)) return;
    const held = (this.perUser.get(s.viewer.id) ?? 1) - 1;
    if (held > 0) this.perUser.set(s.viewer.id, held);
    else this.perUser.delete(s.viewer.id);
    if (this.subscribers.size === 0) this.stop();
  }

  private start() {
    this.interval = this.options.pollMs;
    const generation = this.generation;
    this.running = startingWatermark(this.db).then(
      (w) => {
        if (generation !== this.generation) return;
        this.watermark = w;
        this.schedule(this.interval);
      },
      (error: unknown) => {
        this.options.onError?.(error);
        // Retried as a poll would be: the clock is read again when the timer fires.
        if (generation === this.generation) this.schedule(this.backoff());
      },
    );
  }

  private stop() {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.watermark = null;
    this.read.clear();
  }

  private schedule(ms: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.watermark ? this.poll() : Promise.resolve(this.start());
    }, ms);
  }

  private backoff(): number {
    this.interval = Math.min(this.interval * 2, this.options.pollMaxMs);
    return this.interval;
  }

  /** A poll's statement failed: reported, and the poll tried again after a backoff (unless the poller stopped meanwhile). */
  private retryLater(generation: number, error: unknown) {
    if (generation !== this.generation) return;
    this.options.onError?.(error);
    this.schedule(this.backoff());
  }

  private async poll(): Promise<void> {
    const generation = this.generation;
    const watermark = this.watermark!;
    try {
      if (Date.now() - this.authCheckedAt >= this.options.authRecheckMs) await this.endSignedOut();
    } catch (error) {
      return this.retryLater(generation, error);
    }
    // The last subscriber was signed out: the poller stopped.
    if (generation !== this.generation) return;
    const subscribers = [...this.subscribers];
    // Subscribers joined since the last poll start here: rows read before were at or below it.
    for (const s of subscribers) s.since ??= watermark;
    const conditions = new Map<string, SqlFragment>();
    for (const s of subscribers) if (!conditions.has(s.key)) conditions.set(s.key, s.condition);
    const keys = [...conditions.keys()];
    let polled;
    try {
      polled = await pollEnded(this.db, watermark, [...this.read.keys()], [...conditions.values()], this.options.lateWindowMs);
    } catch (error) {
      return this.retryLater(generation, error);
    }
    if (generation !== this.generation) return;
    let top = watermark;
    for (const { row, matches } of polled) {
      const key = { endedAt: row.endedAt!, id: row.id };
      this.read.set(row.id, key.endedAt);
      if (compareKeys(key, top) > 0) top = key;
      const matched = new Set(keys.filter((_, i) => matches[i]));
      for (const s of subscribers) {
        if (matched.has(s.key) && !s.queue.closed && compareKeys(key, s.since!) > 0) s.queue.push(row);
      }
    }
    this.watermark = top;
    this.forgetBelowWindow();
    if (polled.length === POLL_BATCH) this.schedule(0);
    else if (polled.length > 0) this.schedule((this.interval = this.options.pollMs));
    else this.schedule(this.backoff());
  }

  /**
   * Ends, with UNAUTHENTICATED, each subscription whose API key no longer authenticates its viewer
   * as it did when the subscription opened (same user, same site-wide read right).
   */
  private async endSignedOut() {
    const checkedAt = Date.now();
    const subscribers = [...this.subscribers].filter((s) => s.viewer.keyId !== undefined);
    const valid = await stillSignedIn(this.db, [...new Set(subscribers.map((s) => s.viewer.keyId!))]);
    this.authCheckedAt = checkedAt;
    for (const s of subscribers) {
      const now = valid.get(s.viewer.keyId!);
      if (!now || now.userId !== s.viewer.id || now.seesAll !== s.viewer.seesAll) s.queue.fail(new SubscriptionError('signed-out'));
    }
  }

  /**
   * Ids older than the late window can no longer be read again (the poll's lower bound excludes
   * them). A millisecond of margin: float rounding must never forget an id the bound still covers.
   */
  private forgetBelowWindow() {
    const floor = epochMillis(this.watermark!.endedAt) - this.options.lateWindowMs - 1;
    for (const [id, endedAt] of this.read) if (epochMillis(endedAt) < floor) this.read.delete(id);
  }
}
