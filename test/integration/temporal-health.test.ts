import { connect, createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTemporalHealthy } from '../../src/dev/temporal-server';
import { freePort } from '../support/free-port';
import { testSettings } from '../support/stack';

const settings = testSettings();

/** A TCP relay to the harness's Temporal on `port`: a server that starts listening when we say so. */
async function relayTo(port: number, target: string): Promise<Server> {
  const [host, targetPort] = target.split(':');
  const relay = createServer((socket) => {
    const upstream = connect(Number(targetPort), host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
  return relay;
}

describe('the Temporal health probe', () => {
  it('sees a server as soon as it listens, however long earlier probes failed (no inherited reconnect backoff)', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    // Like `stack up` on a fresh machine: probes fail while nothing listens (there: for the minutes of a build).
    const until = Date.now() + 10_000;
    while (Date.now() < until) expect(await isTemporalHealthy({ address })).toBe(false);
    await sleep(2000);
    const relay = await relayTo(port, settings.temporal.address);
    try {
      expect(await isTemporalHealthy({ address })).toBe(true);
    } finally {
      relay.close();
    }
  });
});
