import { pricedUsagesSql } from '../domain/usage/priced-usages.ts';
import { coderPricesFor } from '../prices/coder-prices.ts';
import { priceTimeline } from '../prices/resolve.ts';
import { detectCapabilities } from './capabilities.ts';
import type { Db, Queryable } from './db.ts';
import { Batches, DEMO_USERS, ensureDemoUsers, int, mulberry32, pick, ts, uuid } from './seed.ts';
import { named, sql } from './sql.ts';

/**
 * Token shapes that make pricing interesting, added to the demo data (`seed` stays as it was):
 *
 * - Claude Code sessions on Claude Sonnet that live off the prompt cache: each step reads the
 *   growing conversation from the cache, writes the new turn to it, and sends a few hundred
 *   uncached tokens (Coder's input_tokens exclude cache reads and writes).
 * - Codex sessions on GPT-5 with OpenAI's automatic cache reads (multiples of 128 tokens past
 *   the first 1024) and no cache writes, which OpenAI does not report.
 * - Requests to a model no price book knows (`claude-internal-preview`): unpriced.
 * - A price change in the middle of the range: an owner's override for gpt-5 from then on.
 * - With `recorded`, the variant of a newer Coder database: Coder's per-row price snapshot and
 *   cost_micros columns (added if missing) filled for the requests before the middle, the way
 *   Coder writes them, so recorded cost and the price book meet in one data set.
 */
export interface PricingSeedOptions {
  seed?: number;
  end?: Date;
  days?: number;
  recorded?: boolean;
}

export const PRICING_SHAPES = { claudeSessions: 20, claudeSteps: 8, codexSessions: 20, codexSteps: 4, unpriced: 10 } as const;
export const UNPRICED_MODEL = 'claude-internal-preview';

/** Returns how many interceptions it wrote. */
export async function seedPricingShapes(db: Db, opts: PricingSeedOptions = {}): Promise<number> {
  const r = mulberry32((opts.seed ?? 42) ^ 0x5eed);
  const endMicros = (opts.end ?? new Date('2026-11-20T12:00:00Z')).getTime() * 1000;
  const spanMicros = (opts.days ?? 30) * 86_400 * 1e6;
  const middle = new Date((endMicros - spanMicros / 2) / 1000);
  await ensureDemoUsers(db);
  const initiators = DEMO_USERS.filter((u) => u.role === 'member' || u.username === 'admin').map((u) => u.id!);
  let written = 0;

  const session = (add: Batches['add'], provider: string, model: string, client: string, steps: number, usage: (step: number) => number[]) => {
    const initiator = pick(r, initiators);
    const sessionId = `sess-${uuid(r)}`;
    const rootId = uuid(r);
    // Whole sessions end an hour before `end` at the latest: nothing here is in flight.
    let clock = endMicros - 3_600e6 - Math.floor(r() * (spanMicros - 7_200e6));
    let parent: string | null = null;
    for (let step = 0; step < steps; step++) {
      const id = step === 0 ? rootId : uuid(r);
      const duration = int(r, 2_000_000, 40_000_000);
      add('aibridge_interceptions', [
        id, initiator, provider, provider, model, ts(clock), ts(clock + duration), '{}', null, client,
        parent, step === 0 ? null : rootId, sessionId, 'centralized', '',
      ]);
      const [input, output, cacheRead, cacheWrite] = usage(step);
      add('aibridge_token_usages', [uuid(r), id, `resp_${uuid(r).replace(/-/g, '')}`, input, output, cacheRead, cacheWrite, '{}', ts(clock + duration - 1)]);
      parent = id;
      clock += duration + int(r, 1_000_000, 20_000_000);
      written++;
    }
  };

  const write = async (tx: Queryable) => {
    const out = new Batches(tx);
    const add = out.add.bind(out);
    for (let n = 0; n < PRICING_SHAPES.claudeSessions; n++) {
      let context = int(r, 8_000, 20_000);
      session(add, 'anthropic', 'claude-sonnet-4-5', 'Claude Code', PRICING_SHAPES.claudeSteps, (step) => {
        const turn = int(r, 1_500, 12_000);
        const usage = [int(r, 3, 600), int(r, 150, 2_500), step === 0 ? 0 : context, step === 0 ? context + turn : turn];
        context += turn;
        return usage;
      });
    }
    for (let n = 0; n < PRICING_SHAPES.codexSessions; n++) {
      session(add, 'openai', 'gpt-5', 'Codex', PRICING_SHAPES.codexSteps, (step) => {
        const cached = step === 0 ? 0 : 1_024 + 128 * int(r, 0, 400);
        return [int(r, 800, 15_000), int(r, 200, 4_000), cached, 0];
      });
    }
    for (let n = 0; n < PRICING_SHAPES.unpriced; n++) {
      session(add, 'anthropic', UNPRICED_MODEL, 'Claude Code', 1, () => [int(r, 100, 5_000), int(r, 50, 1_500), 0, 0]);
    }
    await out.flush();
    await tx.query(named('seed.priceChange')`
      INSERT INTO gateway_model_prices (provider, model, effective_from, input_price, output_price, cache_read_price, note)
      VALUES ('openai', 'gpt-5', ${middle.toISOString()}, 1500000, 12000000, 150000, 'seed: price change in the middle of the data range')
      ON CONFLICT (provider, model, effective_from) DO NOTHING`);
  };
  await (db.kind === 'pglite' ? db.transaction(write) : write(db));
  if (opts.recorded) await recordCoderCosts(db, middle);
  return written;
}

/** Coder's migration adding the snapshot and cost columns (IF NOT EXISTS: idempotent). */
const CODER_COST_COLUMNS = `ALTER TABLE aibridge_token_usages
  ADD COLUMN IF NOT EXISTS effective_group_id uuid,
  ADD COLUMN IF NOT EXISTS input_price_micros bigint CHECK (input_price_micros >= 0),
  ADD COLUMN IF NOT EXISTS output_price_micros bigint CHECK (output_price_micros >= 0),
  ADD COLUMN IF NOT EXISTS cache_read_price_micros bigint CHECK (cache_read_price_micros >= 0),
  ADD COLUMN IF NOT EXISTS cache_write_price_micros bigint CHECK (cache_write_price_micros >= 0),
  ADD COLUMN IF NOT EXISTS cost_micros bigint CHECK (cost_micros >= 0)`;

/**
 * Fills Coder's per-row snapshot for usages of interceptions started before `until`, priced as
 * Coder would have priced them then: from Coder's price table where the database has one, else
 * (a table Coder had not written yet) the package's defaults; unpriced models stay NULL.
 */
export async function recordCoderCosts(db: Db, until: Date): Promise<void> {
  await db.exec(CODER_COST_COLUMNS);
  const models = await db.query<{ provider: string; model: string }>(named('seed.models')`SELECT DISTINCT provider, model FROM aibridge_interceptions`);
  const periods = priceTimeline(models, [], await coderPricesFor(db, await detectCapabilities(db), models));
  const members = sql`SELECT i.* FROM aibridge_interceptions i WHERE i.started_at < ${until.toISOString()}::timestamptz`;
  await db.query(named('seed.recordCosts')`
    UPDATE aibridge_token_usages t
       SET input_price_micros = u.in_p, output_price_micros = u.out_p, cache_read_price_micros = u.cr_p,
           cache_write_price_micros = u.cw_p, cost_micros = u.c_in + u.c_out + u.c_cr + u.c_cw
      FROM (${pricedUsagesSql(members, periods, false)}) u
     WHERE t.id = u.usage_id AND u.how = 'B'`);
}
