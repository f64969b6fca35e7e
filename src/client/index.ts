export {
  CLIENT_DEFAULTS,
  type ClientStats,
  createSidecarClient,
  SidecarClient,
  type SidecarClientOptions,
  type SidecarClientWithBuilders,
} from './client.js';
export * from './events.js';
