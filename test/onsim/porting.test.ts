// streamPorts against listPorts: the same answers over real HTTP, sent in small pieces, must give
// the same ports or the same refusal.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOnsimClient, type OnsimClient } from '../../src/onsim/client.js';
import type { Port } from '../../src/onsim/porting.js';

let server: Server;
let onsim: OnsimClient;
/** What the server answers to GET /port/all/…, written in pieces of `pieceBytes`. */
let answer = '';
let pieceBytes = 7;
let requests = 0;
/** How many answers to cut off halfway (the connection dropped) before answering whole. */
let cutOff = 0;
let baseUrl = '';

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' });
    const bytes = Buffer.from(answer, 'utf8');
    if (cutOff > 0) {
      cutOff--;
      res.write(bytes.subarray(0, bytes.length / 2));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    for (let i = 0; i < bytes.length; i += pieceBytes) res.write(bytes.subarray(i, i + pieceBytes));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  onsim = createOnsimClient({
    baseUrl,
    apiKey: 'k',
    logger: pino({ level: 'silent' }),
    readRetry: { maxAttempts: 1 },
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = 0;
  cutOff = 0;
});

/** The ports streamPorts hands to its sink, or its refusal's message; and the GETs it made. */
async function streamed(): Promise<{ result: Port[] | string; requests: number }> {
  requests = 0;
  const result = await onsim.porting
    .stream('ALL', () => {
      const ports: Port[] = [];
      return { ports, add: (p: Port) => void ports.push(p) };
    })
    .then(
      (sink) => sink.ports,
      (err: Error) => err.message,
    );
  return { result, requests };
}

async function listed(): Promise<Port[] | string> {
  return onsim.porting.list('ALL').catch((err: Error) => err.message);
}

const port = { trID: '7', number: '447700900001', status: 'INITIAL', updatedDate: 'Jan 2, 2025 1:20:30 PM' };
const ports = [
  {
    ...port,
    trID: 8,
    number: 447700900002,
    carrier: { name: 'EE', history: [{ a: 1 }, { b: 2 }] },
    PAC: null,
  },
  { trID: 9, status: 'FAILED', note: 'a text with },{ in it' },
  port,
];

describe('streamPorts', () => {
  it.each([
    ['under port', { port: ports }],
    ['under portQueue', { portQueue: ports }],
    ['bare', ports],
    ['under a key of its own, the only list', { data: ports, total: 3 }],
    ['empty', { port: [] }],
  ])('reads a port list %s as listPorts does, in one request', async (_name, body) => {
    answer = JSON.stringify(body);
    for (pieceBytes of [1, 7, 64, 100_000]) {
      const expected = await listed();
      expect(expected).not.toBeTypeOf('string');
      expect(await streamed()).toEqual({ result: expected, requests: 1 });
    }
  });

  it.each([
    ['an empty answer', ''],
    ['null', 'null'],
    ['an answer cut off', JSON.stringify({ port: ports }).slice(0, -30)],
    ['a truncated object', '{"port":[{"trID":"1","status":"INITIAL"},{"trID":'],
    ['an object without a list', '{"error":"nothing here"}'],
    ['plain text', 'Service temporarily unavailable'],
  ])('reads %s as listPorts does, in one request', async (_name, text) => {
    answer = text;
    for (pieceBytes of [1, 7, 100_000]) {
      const expected = await listed();
      expect(await streamed()).toEqual({ result: expected, requests: 1 });
    }
  });

  it.each([
    ['a port it cannot read', { port: [port, { trID: 8, status: null }, { ...port, PAC: ['x'] }] }],
    ['a list of something else before the port list', { pages: [1, 2], port: ports }],
    ['two lists, the later one first by its key', { port: [port], portQueue: ports }],
    ['the same key twice', `{"port":${JSON.stringify([port])},"port":${JSON.stringify(ports)}}`],
    ['two lists under keys of their own', { a: [port], b: ports }],
  ])(
    'asks once more and reads whole an answer with %s, to the same outcome as listPorts',
    async (_name, body) => {
      answer = typeof body === 'string' ? body : JSON.stringify(body);
      for (pieceBytes of [1, 100_000]) {
        const expected = await listed();
        expect(await streamed()).toEqual({ result: expected, requests: 2 });
      }
    },
  );

  it('starts over with a fresh sink when the answer breaks off and the read is retried', async () => {
    answer = JSON.stringify({ port: ports });
    pieceBytes = 100_000;
    cutOff = 1;
    const retrying = createOnsimClient({
      baseUrl,
      apiKey: 'k',
      logger: pino({ level: 'silent' }),
      readRetry: { maxAttempts: 2 },
      sleep: async () => {},
    });
    const sinks: Port[][] = [];
    const sink = await retrying.porting.stream('ALL', () => {
      const seen: Port[] = [];
      sinks.push(seen);
      return { seen, add: (p: Port) => void seen.push(p) };
    });
    expect(requests).toBe(2);
    expect(sinks).toHaveLength(2);
    expect(sinks[0]?.length).toBeLessThan(ports.length); // the first reading got part of the list
    expect(sink.seen).toBe(sinks[1]);
    expect(sink.seen).toEqual(await listed());
  });

  it('starts a fresh sink for a second reading, and returns that one', async () => {
    answer = JSON.stringify({ port: [port], portQueue: ports });
    const sinks: Port[][] = [];
    const sink = await onsim.porting.stream('ALL', () => {
      const seen: Port[] = [];
      sinks.push(seen);
      return { seen, add: (p: Port) => void seen.push(p) };
    });
    expect(sinks).toHaveLength(2);
    expect(sink.seen).toBe(sinks[1]);
    expect(sink.seen.map((p) => p.trID)).toEqual(['8', '9', '7']);
  });
});
