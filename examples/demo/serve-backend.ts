import { startDemoBackend } from './backend.js';

/** Runs only the demo backend (the compose file's default backend), on PORT (8000). */
const port = Number(process.env.PORT ?? 8000);
const backend = await startDemoBackend(port, process.env.HOST ?? '0.0.0.0');
process.stdout.write(`demo backend listening on ${process.env.HOST ?? '0.0.0.0'}:${backend.port}\n`);
const stop = () => void backend.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
