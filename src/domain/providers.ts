import type { Queryable } from '../db/db.ts';
import { named } from '../db/sql.ts';

/**
 * AI providers configured in Coder's database (ai_providers). Only the columns that describe a
 * provider are read: `settings` and `settings_key_id` hold encrypted credentials and never leave
 * the database, not even into this process.
 */
export interface ProviderRow {
  id: string;
  type: string;
  name: string;
  displayName: string | null;
  icon: string;
  enabled: boolean;
  baseUrl: string;
  createdAt: string;
  updatedAt: string;
}

/** Live providers (soft-deleted ones hidden, disabled ones shown), ordered by name, as Coder lists them. */
export function listProviders(db: Queryable): Promise<ProviderRow[]> {
  return db.query<ProviderRow>(named('providers.list')`
    SELECT id, type::text AS type, name, display_name AS "displayName", icon, enabled, base_url AS "baseUrl",
           created_at AS "createdAt", updated_at AS "updatedAt"
      FROM ai_providers WHERE NOT deleted ORDER BY name COLLATE "C", id`);
}
