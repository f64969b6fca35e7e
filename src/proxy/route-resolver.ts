/** A request target's route, as known before any backend answer. */
export interface RouteTemplate {
  readonly template: string;
  /** Named by ROUTE_PATTERNS (or another declaration), so admitted as a label without an answer. */
  readonly declared: boolean;
}

/**
 * Where the proxy port gets its `http_route` labels. It asks for nothing else, so any labeller
 * can stand in; the sidecar wires the RouteLabeler of src/routes/.
 */
export interface RouteResolver {
  /** The template of a request target, before any backend answer. */
  template(target: string): RouteTemplate;
  /**
   * The label of a route given the backend's answer (`undefined`: none came). Asked once per
   * exchange: a budget counts an overflow each time it is asked.
   */
  label(route: RouteTemplate, backendStatus: number | undefined): string;
}
