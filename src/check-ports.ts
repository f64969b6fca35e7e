import net from 'node:net';
import type { Config } from './config/config.js';
import { ListenError } from './listen-error.js';

function tryListen(port: number, host: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

/**
 * For --check-config: whether the sidecar could listen where it is configured to, said as
 * start-up would say it. A port chosen by the system (0) is always available.
 */
export async function portProblems(config: Config): Promise<string[]> {
  const problems: string[] = [];
  const ports = [
    { port: config.proxy.port, host: config.proxy.host, admin: false },
    { port: config.admin.port, host: config.admin.host, admin: true },
  ];
  for (const { port, host, admin } of ports) {
    if (port === 0) continue;
    const error = await tryListen(port, host);
    if (error === undefined) continue;
    const [portVariable, hostVariable] = admin ? ['ADMIN_PORT', 'ADMIN_HOST'] : ['PORT', 'HOST'];
    problems.push(new ListenError(portVariable, port, hostVariable, host, error).message);
  }
  return problems;
}
