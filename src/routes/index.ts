export { DeclaredRoutes, type DeclaredSource } from './declared-routes.js';
export { LEARNING, PARAM_PLACEHOLDER } from './learn-node.js';
export { ID_PLACEHOLDER, isValueSegment, pathOf } from './path-segments.js';
export { createRouteDiscovery, type RouteDiscovery } from './route-discovery.js';
export {
  type DocumentRoutes,
  type DocumentTemplatesResult,
  type EvictionReason,
  MAX_DOCUMENT_TEMPLATES,
  ROUTE_NOT_FOUND,
  ROUTE_OVERFLOW,
  ROUTE_UNCONFIRMED,
  RouteLabeler,
  type RouteLabelerOptions,
  type RouteMatch,
  type RouteSource,
} from './route-labeler.js';
