import { parentPort, workerData } from 'node:worker_threads';
import type { LookRequest } from './look.js';
import { look } from './look.ts';

/**
 * The discovery worker: one look for the backend's API description (look.ts), off the main
 * thread, then it ends; used once a document proved larger than the main thread parses itself,
 * or YAML. Fetching a large document, hashing it and, above all, starting the parser process
 * happen here: spawning a process blocks the calling thread until the child
 * has exec'd, which on a busy or CPU-throttled machine takes long enough to delay every request
 * if the proxy's own thread did it.
 *
 * Started from dist/src, from dist/bundle (an entry of its own, rolldown.config.mjs) and, in
 * tests, from the TypeScript sources (see openapi-parser.ts for what that asks of its imports).
 * The message `cancel` ends the look early: its fetch is aborted and its parser killed.
 */

function isLookRequest(data: unknown): data is LookRequest {
  return typeof data === 'object' && data !== null && 'candidates' in data && 'settings' in data;
}

const port = parentPort;
if (port && isLookRequest(workerData)) {
  const controller = new AbortController();
  port.on('message', (message) => {
    if (message === 'cancel') controller.abort();
  });
  void look(workerData, controller.signal).then((reply) => {
    port.postMessage(reply);
    port.close();
  });
}
