/**
 * The route templates the benchmarks label with: resources of five shapes each, as an API
 * description lists them. `npm run bench:routes` hands them to the labeller directly; the
 * benchmark backend serves them as an OpenAPI document for `npm run bench`.
 */
const SHAPES = [
  (r: string) => `/api/v1/${r}`,
  (r: string) => `/api/v1/${r}/{${r}_id}`,
  (r: string) => `/api/v1/${r}/{${r}_id}/history`,
  (r: string) => `/api/v1/${r}/{${r}_id}/export.{format}`,
  (r: string) => `/api/v1/${r}/search`,
];

/** `count` templates over resources res0, res1, … (five per resource). */
export function routeTemplates(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) out.push(SHAPES[i % SHAPES.length]!(`res${Math.floor(i / 5)}`));
  return out;
}

/** An OpenAPI 3.1 document listing `routeTemplates(count)`, each with a GET. */
export function openapiDocument(count: number): string {
  const paths: Record<string, unknown> = {};
  for (const template of routeTemplates(count)) {
    const parameters = [...template.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[template] = { get: { parameters, responses: { '200': { description: 'OK' } } } };
  }
  return JSON.stringify({ openapi: '3.1.0', info: { title: 'bench', version: '1' }, paths });
}
