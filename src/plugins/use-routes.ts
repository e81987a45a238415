import type { Plugin } from 'graphql-yoga';
import type { Queryable } from '../db/db.ts';
import type { SchemaProbe } from '../db/schema-probe.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { json } from '../rest/respond.ts';
import { handleRest, isRestPath } from '../rest/router.ts';
import { routes } from '../rest/routes.ts';

/** Health and the REST shims answer before Yoga sees the request. */
export function useRoutes(db: Queryable, schema: SchemaProbe, prisma: PrismaClient | null = null): Plugin {
  return {
    async onRequest(hook) {
      const { request, url } = hook;
      if (url.pathname === '/healthz') return hook.endResponse(json({ status: 'ok' }));
      if (isRestPath(url.pathname)) return hook.endResponse(await handleRest(request, db, schema, routes, prisma));
    },
  };
}
