import type { Queryable } from '../db/db.ts';
import type { Viewer } from '../auth/viewer.ts';

export interface GraphQLContext {
  db: Queryable;
  viewer: Viewer;
}
