import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedAlert {
  headers: IncomingHttpHeaders;
  body: { text: string; alert: { kind: string; pipeline: string; runId: string; idempotencyKey: string; [key: string]: unknown } };
}

/** A local HTTP receiver (a stand-in for Slack's incoming webhook) on a free port, keeping what it gets. */
export async function startAlertReceiver(respond: () => number = () => 200): Promise<{ url: string; received: ReceivedAlert[]; close(): Promise<void> }> {
  const received: ReceivedAlert[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedAlert['body'] });
      response.writeHead(respond()).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/T000/B000/s3cr3t`,
    received,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
