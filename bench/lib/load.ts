import autocannon from 'autocannon';
import { summarise, type LoadResult } from './stats.ts';

export interface HttpWorkload {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  connections: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds of load before measuring (JIT, pools, caches), not recorded. */
  warmup: number;
}

function once(w: HttpWorkload, connections: number, duration: number, record: boolean): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: w.url,
        method: w.method,
        headers: w.headers,
        body: w.body,
        connections,
        duration,
        timeout: 30,
      },
      (err: Error | null, result: { errors: number; timeouts: number }) => {
        if (err) return reject(err);
        const seconds = (performance.now() - started) / 1000;
        resolve(summarise(latencies, failures + result.errors + result.timeouts, Math.min(seconds, duration + 1)));
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      if (status >= 200 && status < 300) {
        if (record) latencies.push(responseTime);
      } else failures++;
    });
  });
}

/** Warm up, then measure `duration` seconds at `connections` concurrent connections. */
export async function loadHttp(w: HttpWorkload, o: LoadOptions): Promise<LoadResult> {
  if (o.warmup > 0) await once(w, o.connections, o.warmup, false);
  const r = await once(w, o.connections, o.duration, true);
  // autocannon stops issuing at `duration`; requests/second over the measured window.
  r.rps = r.requests / o.duration;
  return r;
}

/** The same measurement for an in-process async operation (the SQL floor): N concurrent loops. */
export async function loadLoop(op: () => Promise<void>, o: LoadOptions): Promise<LoadResult> {
  const phase = async (seconds: number, record: boolean) => {
    const latencies: number[] = [];
    let failures = 0;
    let firstError: unknown;
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: o.connections }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          try {
            await op();
            if (record) latencies.push(performance.now() - t);
          } catch (e) {
            failures++;
            firstError ??= e;
            if (failures > 100) throw firstError;
          }
        }
      }),
    );
    return summarise(latencies, failures, seconds);
  };
  if (o.warmup > 0) await phase(o.warmup, false);
  return phase(o.duration, true);
}
