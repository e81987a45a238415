import type { Route } from './router.ts';

/** Every REST endpoint, matched against the request path in order. */
export const routes: Route[] = [];
