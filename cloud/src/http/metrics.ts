// Prometheus metrics: node's default metrics plus a request-duration histogram by route template.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { AppEnv } from './context.ts';

export function createMetricsRegistry(options: { defaultMetrics: boolean }): Registry {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

export function httpMetrics(registry: Registry): MiddlewareHandler<AppEnv> {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return async (c, next) => {
    const stop = duration.startTimer();
    await next();
    // The template (`/v1/screens/:id`), never the raw path: label cardinality stays bounded.
    stop({ method: c.req.method, route: c.finalized ? routePath(c, -1) : 'unmatched', status: c.res.status });
  };
}
