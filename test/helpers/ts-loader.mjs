// Lets `node --experimental-transform-types --import ./test/helpers/ts-loader.mjs src/main.ts`
// run the sidecar straight from its TypeScript sources, as a real process, for tests that need
// one (signals, process-global SDKs). Sources import `./x.js`; this resolves them to `./x.ts`
// when only the TypeScript file exists.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && specifier.startsWith('.') && context.parentURL?.startsWith('file:')) {
    const url = new URL(specifier, context.parentURL);
    if (!existsSync(fileURLToPath(url))) {
      const ts = new URL(`${url.href.slice(0, -3)}.ts`);
      if (existsSync(fileURLToPath(ts))) return next(ts.href, context);
    }
  }
  return next(specifier, context);
}

// Imported with --import, this module registers itself as the resolve hook (which Node loads
// again on its hooks thread, where it must not register once more).
if (isMainThread) register(import.meta.url);
