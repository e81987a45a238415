import type { Db } from '../db/db.ts';
import type { Viewer } from '../auth/viewer.ts';

export interface GraphQLContext {
  db: Db;
  viewer: Viewer;
}
