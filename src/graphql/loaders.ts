import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { modelThoughtsFor, tokenUsagesFor, toolUsagesFor, userPromptsFor, usersByIds } from '../domain/children.ts';
import { interceptionsByIds } from '../domain/interceptions.ts';
import { tokenTotalsBySource } from '../domain/token-totals.ts';
import type { GraphQLContext } from './context.ts';

/**
 * Per-request DataLoaders, one per kind, shared by every field that needs that kind (an
 * interception's toolUsages and an agentic action's toolCalls hit the same loader), so a request
 * sends one statement per kind however large the pages and however deep the nesting.
 * Keyed by the context object: nothing outlives the request.
 */
export const loaders = createContextCache(({ db, viewer }: GraphQLContext) => ({
  tokenUsages: new DataLoader((ids: readonly string[]) => tokenUsagesFor(db, ids)),
  toolUsages: new DataLoader((ids: readonly string[]) => toolUsagesFor(db, ids)),
  userPrompts: new DataLoader((ids: readonly string[]) => userPromptsFor(db, ids)),
  modelThoughts: new DataLoader((ids: readonly string[]) => modelThoughtsFor(db, ids)),
  /** Per-interception sums; ids come from rows already read under the visibility filter. */
  tokenTotals: new DataLoader(async (ids: readonly string[]) => {
    const totals = await tokenTotalsBySource(db, 'SELECT x::text AS grp, x AS interception_id FROM unnest($1::uuid[]) x', [ids], ids);
    return ids.map((id) => totals.get(id)!);
  }),
  users: new DataLoader((ids: readonly string[]) => usersByIds(db, ids)),
  /** Visible interceptions by id (in-flight ones included); null when absent or not visible. */
  interceptions: new DataLoader((ids: readonly string[]) => interceptionsByIds(db, viewer, ids)),
}));
