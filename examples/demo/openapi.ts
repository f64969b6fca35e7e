/**
 * The demo backend's API description, served at /openapi.json as FastAPI, springdoc or NestJS
 * serve theirs: the sidecar reads its path templates and labels each request with the route it
 * matched (docs/ROUTES.md).
 */

type Operation = { summary: string; parameters?: readonly object[]; responses: object };

const ok = { '200': { description: 'OK' } };
const pathParam = (name: string, type: 'integer' | 'string') => ({
  name,
  in: 'path',
  required: true,
  schema: { type },
});
const get = (summary: string, parameters?: readonly object[]): { get: Operation } => ({
  get: { summary, ...(parameters ? { parameters } : {}), responses: ok },
});

export const DEMO_OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'observability-sidecar demo backend', version: '1.0.0' },
  paths: {
    '/health': get('Liveness of the backend'),
    '/metrics': get("The backend's own metrics page, reachable through the proxy port"),
    '/api/users/{id}': {
      ...get('One user', [pathParam('id', 'integer')]),
      head: { summary: 'One user, headers only', parameters: [pathParam('id', 'integer')], responses: ok },
    },
    '/api/accounts/{account_id}/transactions': get("An account's transactions", [
      pathParam('account_id', 'string'),
    ]),
    '/api/catalog/{slug}': get('A catalogue page by its slug', [pathParam('slug', 'string')]),
    '/api/payload': get('A JSON body of ?kb= kilobytes'),
    '/api/slow': get('Answers after ?ms= milliseconds'),
    '/api/fail': get('Answers with ?status='),
    '/api/headers': get('Echoes the request line and headers'),
    '/api/echo': { post: { summary: 'Echoes the request body', responses: ok } },
    '/api/upload': { post: { summary: 'Counts the bytes of the request body', responses: ok } },
    '/api/download': get('?bytes= bytes of data'),
    '/api/sse': get('Server-sent events: ?events= of them every ?interval= ms'),
    '/api/reset': get('Dies in the middle of its body'),
    '/api/hang': get('Never answers'),
    '/api/crash': get('Closes the connection without an answer'),
    '/ws/echo': get('WebSocket echo (upgrade)'),
  },
} as const;
