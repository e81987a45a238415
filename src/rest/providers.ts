import { listProviders } from '../domain/providers.ts';
import { rfc3339 } from '../domain/values.ts';
import { encodeCoderJson } from './encode.ts';
import { HttpError, rawJson } from './respond.ts';
import type { RestContext } from './router.ts';

/**
 * GET /api/v2/ai/providers: the providers configured in Coder's database, for owners and
 * auditors (members are refused as Coder refuses them a deployment-wide resource). Where the
 * database has no ai_providers table (an older Coder), the endpoint does not exist: 404 JSON,
 * as for any unknown path.
 */
export async function getProviders(ctx: RestContext): Promise<Response> {
  const caps = await ctx.schema.current();
  if (!caps.providers) throw new HttpError(404, { message: 'Route not found.', detail: `No route for ${ctx.url.pathname}.` });
  if (!ctx.viewer.seesAll) throw new HttpError(403, { message: 'Forbidden.' });
  const rows = await listProviders(ctx.db);
  return rawJson(
    encodeCoderJson(
      rows.map((p) => ({
        id: p.id,
        type: p.type,
        name: p.name,
        // Coder's display name falls back to the name when none is set.
        display_name: p.displayName ?? p.name,
        icon: p.icon,
        enabled: p.enabled,
        base_url: p.baseUrl,
        created_at: rfc3339(p.createdAt),
        updated_at: rfc3339(p.updatedAt),
      })),
    ),
  );
}
