import { brandWithType, getTypeBrand } from '@pothos/core';

/**
 * Node loaders brand their rows with their GraphQL type themselves. Pothos's relay plugin caches
 * a loaded node for the request before it brands it, so a second node field of the same request
 * (`node(id: X)` beside `nodes(ids: [X, …])`) could take the unbranded row from the cache and
 * fail with "Abstract type Node must resolve to an Object type at runtime" (11 times in 300 such
 * requests on PostgreSQL; test/graphql/nodes.test.ts repeats it). Each node type sets
 * `brandLoadedObjects: false` so Pothos does not brand again, and a row a per-request DataLoader
 * hands out twice is branded once.
 */
export async function branded<T>(type: Parameters<typeof brandWithType>[1], rows: Promise<readonly T[]>): Promise<readonly T[]> {
  const loaded = await rows;
  for (const row of loaded) if (getTypeBrand(row) === null) brandWithType(row, type);
  return loaded;
}
