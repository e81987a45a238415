import type { Queryable } from '../db/db.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { SchemaProbe } from '../db/schema-probe.ts';

export interface GraphQLContext {
  db: Queryable;
  viewer: Viewer;
  /** The database's optional Coder parts; resolvers that read them ask it (detected once). */
  schema: SchemaProbe;
}
