export {
  CLIENT_DEFAULTS,
  type ClientStats,
  createSidecarClient,
  SidecarClient,
  type SidecarClientOptions,
  type SidecarClientWithBuilders,
} from './client.js';
export * from './events.js';
export { type ExceptionEntry, exceptionChain } from './exception.js';
export { sidecarErrorHandler } from './express.js';
export { type RequestIds, requestIds } from './request-ids.js';
