import { builder } from '../builder.ts';
import { currentLoaders } from '../current-loaders.ts';
import { InterceptionRef } from './interception.ts';

/**
 * Where a request came from, as a current Coder records it (src/domain/interception-attribution.ts).
 * Coder's REST API does not show these, so only GraphQL does; each is null over a database
 * older than its column, and never selected there.
 */
builder.objectFields(InterceptionRef, (t) => ({
  annotations: t.field({
    type: 'JSON',
    nullable: true,
    description:
      "Coder's annotations of the request, as stored: server-derived context and the client's work context (keys vary by Coder version, "
      + 'e.g. `repos`, `branches`, `linear_issue_ids`, `github_pr_urls`); `{}` when none; null where the database has no annotations column.',
    resolve: async (i, _args, ctx) => (await currentLoaders(ctx).attributions.load(i.id)).annotations,
  }),
  providerId: t.field({
    type: 'UUID',
    nullable: true,
    description: 'The configured provider (`ai_providers` row, REST `/api/v2/ai/providers`) the request was routed through; null when not recorded.',
    resolve: async (i, _args, ctx) => (await currentLoaders(ctx).attributions.load(i.id)).providerId,
  }),
  workspaceId: t.field({
    type: 'UUID',
    nullable: true,
    description: 'The Coder workspace the agent ran in; null when not recorded.',
    resolve: async (i, _args, ctx) => (await currentLoaders(ctx).attributions.load(i.id)).workspaceId,
  }),
}));
