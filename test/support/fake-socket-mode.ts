// Slack's Socket Mode end, for tests: a WebSocket server the bot connects to (the fake Slack's
// `apps.connections.open` hands out its URL). It says hello as Slack does, sends envelopes
// (slash commands, interactivity, events) and records the bot's acks by envelope id.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakeSocketMode {
  /** `ws://127.0.0.1:<port>/link` */
  readonly url: string;
  /** Open connections from the bot. */
  connections(): number;
  /** Sends an envelope on the newest connection; resolves with the bot's ack payload. */
  send(type: 'slash_commands' | 'interactive' | 'events_api', payload: unknown): Promise<unknown>;
  /** Closes every connection, and refuses new ones while `refuse` is true. */
  drop(opts?: { refuse?: boolean }): void;
  accept(): void;
  close(): Promise<void>;
}

export async function startFakeSocketMode(): Promise<FakeSocketMode> {
  const server = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({ noServer: true });
  const open = new Set<WebSocket>();
  const waiting = new Map<string, (payload: unknown) => void>();
  let refusing = false;
  server.on('upgrade', (req, socket, head) => {
    if (refusing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      open.add(ws);
      ws.on('close', () => open.delete(ws));
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (msg.envelope_id) waiting.get(msg.envelope_id)?.(msg.payload);
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A1' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/link`,
    connections: () => open.size,
    send(type, payload) {
      const ws = [...open].at(-1);
      if (!ws) return Promise.reject(new Error('the bot is not connected'));
      const envelopeId = randomUUID();
      const acked = new Promise<unknown>((resolve) => waiting.set(envelopeId, resolve));
      ws.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true }));
      return acked;
    },
    drop(opts = {}) {
      refusing = opts.refuse ?? false;
      for (const ws of open) ws.terminate();
    },
    accept() {
      refusing = false;
    },
    async close() {
      for (const ws of open) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
