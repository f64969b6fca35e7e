import type http from 'node:http';
import net from 'node:net';

/**
 * How long keep-alive connections that are idle when draining starts stay open. A request a client
 * sent on one just before is on its way or unread in the socket buffer; closing the connection
 * under it would reset it. Within the grace it is answered instead, with `Connection: close`.
 */
const DRAIN_IDLE_GRACE_MS = 500;

/** The exchanges in flight on the proxy port, and its graceful stop. */
export class PortTraffic {
  /** Requests and streams in flight. */
  inFlight = 0;
  /** Set once draining began: responses close their connections, WebSocket upgrades are refused. */
  draining = false;
  private drained: (() => void) | undefined;

  /** An exchange began. */
  enter(): void {
    this.inFlight++;
  }

  /** An exchange ended. */
  leave(): void {
    this.inFlight--;
    if (this.draining && this.inFlight === 0) this.drained?.();
  }

  /** Stop accepting, let in-flight exchanges finish, resolve when idle or after `timeoutMs`. */
  drain(server: http.Server, timeoutMs: number): Promise<boolean> {
    this.draining = true;
    return new Promise((resolve) => {
      let graceOver = false;
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve(false);
      }, timeoutMs);
      this.drained = () => {
        if (!graceOver) return;
        clearTimeout(timer);
        resolve(true);
      };
      const closeIdle = () => {
        graceOver = true;
        // http.Server#close closes the connections idle by now (and ends Node's header-timeout checks).
        server.close();
        if (this.inFlight === 0) this.drained?.();
      };
      // net.Server#close only stops accepting: http.Server#close would also close idle
      // connections at once, racing requests already sent on them.
      net.Server.prototype.close.call(server);
      server.getConnections((error, count) => {
        if (error || count === 0) return closeIdle();
        // setImmediate: after the timer, one poll phase reads what arrived while the loop was busy.
        setTimeout(() => setImmediate(closeIdle), Math.min(DRAIN_IDLE_GRACE_MS, timeoutMs));
      });
    });
  }
}
