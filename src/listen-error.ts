/**
 * A port the sidecar could not listen on, said in terms of the setting that chose it: an
 * operator reads `PORT=8080: address already in use`, not a stack trace of net.Server.
 */
export class ListenError extends Error {
  constructor(
    portVariable: string,
    port: number,
    hostVariable: string,
    host: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(`${portVariable}=${port}: ${explain(cause.code, portVariable, port, hostVariable, host)}`);
    this.name = 'ListenError';
  }
}

function explain(
  code: string | undefined,
  portVariable: string,
  port: number,
  hostVariable: string,
  host: string,
) {
  switch (code) {
    case 'EADDRINUSE':
      return `address already in use: another process listens on ${host}:${port}; stop it or choose another ${portVariable}`;
    case 'EACCES':
      return `permission denied: ports below 1024 need privileges the sidecar does not have (it runs as a non-root user); choose a port from 1024, e.g. ${portVariable}=8080`;
    case 'EADDRNOTAVAIL':
      return `${hostVariable}=${host} is not an address of this machine; use 0.0.0.0 for all of them, or one that \`ip addr\` lists`;
    default:
      return `cannot listen on ${host}:${port} (${code ?? 'unknown error'})`;
  }
}
