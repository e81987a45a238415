import { routes } from '../rest/routes.ts';

const FIXED = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);
/** Requests for anything the gateway does not serve share one label. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route a path belongs to, as a template (/api/v2/aibridge/sessions/{id}): metric labels and
 * log fields stay bounded in number and never carry an id.
 */
export function routeTemplate(pathname: string): string {
  if (FIXED.has(pathname)) return pathname;
  if (pathname === '/dashboard' || pathname === '/dashboard/') return '/dashboard';
  if (pathname.startsWith('/dashboard/assets/')) return '/dashboard/assets/{file}';
  return routes.find((r) => r.pattern.test(pathname))?.template ?? UNMATCHED_ROUTE;
}
