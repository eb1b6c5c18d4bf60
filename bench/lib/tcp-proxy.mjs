// A round-robin TCP load balancer on loopback, standing in for the one production agents
// talk to: each new connection goes to the next backend, and one that refuses (an
// instance that is down) is skipped for the next, as a balancer's failed health check
// would. It balances connections, not requests: kept-alive connections stay where they
// were opened until one side closes them.
import { connect, createServer } from 'node:net';

/** Resolves { port, close } once listening; `backends` is a list of ports, read at every connection. */
export function startTcpProxy(backends) {
  let next = 0;
  const sockets = new Set();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const tryBackend = (left) => {
      if (left === 0) return client.destroy();
      const port = backends[next++ % backends.length];
      const upstream = connect({ host: '127.0.0.1', port });
      let connected = false;
      upstream.on('error', () => {
        upstream.destroy();
        if (connected) client.destroy();
        else tryBackend(left - 1);
      });
      upstream.once('connect', () => {
        connected = true;
        sockets.add(upstream);
        upstream.on('close', () => { sockets.delete(upstream); client.destroy(); });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryBackend(backends.length);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      port: server.address().port,
      close: () => { for (const s of sockets) s.destroy(); server.close(); },
    }));
  });
}
