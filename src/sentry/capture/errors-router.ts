import { Router } from 'express';
import type { RecentErrors } from './recent-errors.js';

export interface ErrorsRouterDeps {
  readonly recent: RecentErrors;
  readonly sentryEnabled: boolean;
  readonly environment: string;
}

/**
 * GET /errors on the admin port: the most recent captured errors, newest first, already
 * scrubbed, with the Sentry event id and delivery state when Sentry is on. `?limit=N` caps the
 * list; `?kind=backend_5xx|upstream_failure|app_error` filters it.
 */
export function createErrorsRouter(deps: ErrorsRouterDeps): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const limitRaw = typeof req.query.limit === 'string' ? Number(req.query.limit) : deps.recent.capacity;
    const limit = Number.isInteger(limitRaw) && limitRaw > 0 ? Math.min(limitRaw, deps.recent.capacity) : 0;
    if (limit === 0) {
      res.status(400).json({ error: 'Bad Request', message: 'limit must be a positive integer' });
      return;
    }
    const kind = typeof req.query.kind === 'string' ? req.query.kind : undefined;
    const all = deps.recent.list();
    const errors = (kind ? all.filter((e) => e.kind === kind) : all).slice(0, limit);
    res.set('cache-control', 'no-store').json({
      sentry: { enabled: deps.sentryEnabled, environment: deps.sentryEnabled ? deps.environment : null },
      capacity: deps.recent.capacity,
      count: errors.length,
      errors,
    });
  });
  return router;
}
