/**
 * A price in force for one (provider, model) over [from, to): micro-USD per million tokens for
 * each kind of token, as Coder's price file and `ai_model_prices` hold them. null = unknown: a
 * request with tokens of that kind cannot be priced (it is counted as unpriced, never as $0).
 */
export interface PricePeriod {
  provider: string;
  model: string;
  /** Inclusive start as RFC 3339, or null for "since always". */
  from: string | null;
  /** Exclusive end as RFC 3339, or null for "until further notice". */
  to: string | null;
  input: bigint | null;
  output: bigint | null;
  cacheRead: bigint | null;
  cacheWrite: bigint | null;
  /**
   * Long-context pricing: when a request's prompt (input + cache read + cache write tokens)
   * exceeds `above`, every kind of token of that request costs the tier's price instead.
   */
  tier: PriceTier | null;
  /** Which layer of the price book set it (src/prices/resolve.ts has the precedence). */
  origin: PriceOrigin;
}

/** The gateway's overrides, Coder's price table `ai_model_prices`, or @pydantic/genai-prices. */
export type PriceOrigin = 'override' | 'coder' | 'package';

export interface PriceTier {
  above: bigint;
  input: bigint | null;
  output: bigint | null;
  cacheRead: bigint | null;
  cacheWrite: bigint | null;
}

export interface ModelKey {
  provider: string;
  model: string;
}

export const modelKey = (k: ModelKey) => JSON.stringify([k.provider, k.model]);
