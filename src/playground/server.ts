/**
 * The playground's one HTTP server: the web UI and its live updates (server-sent events), the
 * Slack Web API emulator (`/api`, uploads, files, response_urls), the sandbox panel's calls to
 * the ONSIM sandbox's `/__admin` endpoints, and `/slack/events`, `/healthz`, `/readyz` and
 * `/metrics` passed through to the bot's own receiver.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { SUBCOMMANDS } from '../commands/index.js';
import type { Logger } from '../logger.js';
import type { Sandbox } from '../onsim/sandbox/server.js';
import { PORT_STATUSES } from '../onsim/sandbox/state.js';
import type { EmulatorEvent, SlackEmulator } from '../slack-emulator/emulator.js';
import { readBody, reply } from '../slack-emulator/http.js';
import { BOT } from '../slack-emulator/workspace.js';
import type { UiAssets } from './assets.js';
import { SHORTCUTS } from './people.js';
import type { SlackClient } from './slack-client.js';

export interface Bot {
  /** `http://127.0.0.1:PORT` of the bot's Bolt receiver. */
  url: string;
  client: SlackClient;
}

export interface PlaygroundServerOptions {
  host: string;
  port: number;
  slack: SlackEmulator;
  assets: UiAssets;
  /** Null with ONSIM_API_KEY set: the bot drives the real ONSIM. */
  sandbox: Sandbox | null;
  logger: Logger;
}

/** Served by the bot's own receiver, as on a Slack deployment. */
const BOT_PATHS = new Set(['/slack/events', '/healthz', '/readyz', '/metrics']);

/** In the order the panel lists them (an object would put '429' first: integer-like keys sort). */
const FAULT_ORDER = ['none', 'slow', '429', '5xx', 'lost'] as const;
const FAULTS = {
  none: null,
  slow: { latencyMs: 4_000 },
  '429': { status: 429, retryAfter: 2 },
  '5xx': { status: 503 },
  /** The write happens, its answer is lost: the bot must say "outcome unknown". */
  lost: { status: 502, afterEffect: true, match: { method: 'POST' } },
} as const;
type FaultName = (typeof FAULT_ORDER)[number];

const Who = z.object({ user: z.string().regex(/^U[A-Z0-9]+$/) });
const Source = z.object({
  channel: z.string().optional(),
  ts: z.string().optional(),
  viewId: z.string().optional(),
});
const Values = z.record(z.string(), z.unknown()).default({});
const Requests = {
  command: Who.extend({ channel: z.string(), text: z.string().max(4000) }),
  message: Who.extend({
    channel: z.string(),
    text: z.string().min(1).max(40_000),
    threadTs: z.string().optional(),
  }),
  action: Who.extend({ source: Source, action: z.record(z.string(), z.unknown()), values: Values }),
  suggest: Who.extend({
    source: Source,
    action: z.record(z.string(), z.unknown()),
    values: Values,
    value: z.string(),
  }),
  submit: Who.extend({ viewId: z.string(), values: Values }),
  close: Who.extend({ viewId: z.string(), values: Values }),
  home: Who,
  shortcut: Who.extend({ callbackId: z.string(), channel: z.string().optional(), ts: z.string().optional() }),
  sandbox: z.discriminatedUnion('op', [
    z.object({ op: z.literal('port'), id: z.string(), status: z.string() }),
    z.object({ op: z.literal('advance') }),
    z.object({ op: z.literal('fault'), fault: z.enum(FAULT_ORDER) }),
  ]),
};

export interface PlaygroundServer {
  url: string;
  /** Tells every open page that something changed. */
  broadcast(event: Record<string, unknown>): void;
  attachBot(bot: Bot): void;
  close(): Promise<void>;
}

export async function startPlaygroundServer(opts: PlaygroundServerOptions): Promise<PlaygroundServer> {
  const { slack, assets, sandbox } = opts;
  const log = opts.logger.child({ name: 'playground' });
  const streams = new Set<ServerResponse>();
  let bot: Bot | undefined;
  let fault: FaultName = 'none';
  let lastRefusal: { method: string; problems: string[] } | undefined;

  const broadcast = (event: Record<string, unknown>) => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of streams) res.write(line);
  };
  slack.subscribe((event: EmulatorEvent) => {
    if (event.type === 'refused') lastRefusal = { method: event.method, problems: event.problems };
    broadcast(
      event.type === 'refused'
        ? { type: 'refused', method: event.method, error: event.error, problems: event.problems }
        : { type: event.type },
    );
  });

  const commands = SUBCOMMANDS.map((c) => ({
    name: c.name,
    usage: c.usage,
    summary: c.summary,
    role: c.role,
  }));

  const state = (user: string) => {
    const channels = [...slack.workspace.channels.values()]
      .filter((c) => c.kind !== 'im' || c.with === user)
      .map((c) => ({
        id: c.id,
        name: c.name,
        kind: c.kind,
        botMember: c.members.has(BOT.user_id),
        messages: slack.workspace.visibleTo(c.id, user),
      }));
    return {
      live: sandbox === null,
      me: user,
      bot: { id: BOT.user_id, name: BOT.name },
      people: [...slack.workspace.people.values()],
      channels,
      views: slack.viewStack(user).map(({ user: _u, ...view }) => view),
      home: slack.home(user) ?? null,
      commands,
      shortcuts: SHORTCUTS,
      lastRefusal,
    };
  };

  const sandboxState = () =>
    sandbox && {
      fault,
      faults: FAULT_ORDER,
      statuses: PORT_STATUSES,
      ports: [...sandbox.state.ports.values()]
        .sort((a, b) => Number(a.trID) - Number(b.trID))
        .slice(0, 50)
        .map((p) => ({ id: p.trID, number: p.portinNumber || p.number, status: p.status })),
    };

  const admin = async (path: string, body: unknown) => {
    if (!sandbox) throw new Error('no sandbox: ONSIM_API_KEY is set, the playground drives the real ONSIM');
    const res = await fetch(`${sandbox.url}/__admin/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${await res.text()}`);
  };

  const json = async <T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> =>
    schema.parse(JSON.parse((await readBody(req)).toString('utf8') || '{}'));

  const needBot = () => {
    if (!bot) throw new Error('the bot is still starting');
    return bot;
  };

  const ui = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const get = req.method === 'GET';
    if (get && path === '/') return send(res, 200, 'text/html; charset=utf-8', assets.html);
    if (get && path === '/ui/app.js') return send(res, 200, 'text/javascript; charset=utf-8', assets.script);
    if (get && path === '/ui/style.css') return send(res, 200, 'text/css; charset=utf-8', assets.css);
    if (get && path === '/ui/emoji.json') return reply(res, 200, assets.emoji);
    if (get && path === '/ui/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://playground');
    if (get && path === '/ui/state')
      return reply(res, 200, state(Who.parse({ user: url.searchParams.get('user') }).user));
    if (get && path === '/ui/sandbox') return reply(res, 200, { sandbox: sandboxState() });
    if (get && (path === '/ui/transcript' || path === '/ui/transcript.json')) {
      const headers: Record<string, string> =
        path === '/ui/transcript.json'
          ? { 'content-disposition': 'attachment; filename="playground-transcript.json"' }
          : {};
      return reply(
        res,
        200,
        { exportedAt: new Date().toISOString(), entries: bot?.client.transcript ?? [] },
        headers,
      );
    }
    if (req.method !== 'POST') return reply(res, 404, 'not_found');
    const client = () => needBot().client;
    switch (path) {
      case '/ui/command': {
        const { user, channel, text } = await json(req, Requests.command);
        const [command = '', ...rest] = text.trim().split(/\s+/);
        if (command === '/invite') {
          const who = rest.join(' ').replace(/^@/, '');
          const target =
            who === BOT.name || who === 'onsim'
              ? BOT.user_id
              : [...slack.workspace.people.values()].find((p) => p.name === who)?.id;
          if (!target) return reply(res, 400, { error: `Nobody called @${who} here. Try /invite @onsim` });
          slack.invite(channel, target, user);
          return reply(res, 200, { ok: true });
        }
        if (command !== '/onsim')
          return reply(res, 400, {
            error: `${command} is not a command here. Try /onsim help or /invite @onsim`,
          });
        const sent = await client().command(
          user,
          channel,
          '/onsim',
          text.trim().slice('/onsim'.length).trim(),
        );
        return reply(res, 200, { ok: true, status: sent.status });
      }
      case '/ui/message': {
        const { user, channel, text, threadTs } = await json(req, Requests.message);
        slack.addMessage({ channel, user, text, blocks: [], threadTs });
        return reply(res, 200, { ok: true });
      }
      case '/ui/action': {
        const body = await json(req, Requests.action);
        const sent = await client().blockAction(body);
        return reply(res, 200, { ok: true, status: sent.status });
      }
      case '/ui/suggest': {
        const body = await json(req, Requests.suggest);
        const sent = await client().blockSuggestion(body);
        return reply(res, 200, { ok: true, status: sent.status, options: sent.response });
      }
      case '/ui/submit': {
        const { user, viewId, values } = await json(req, Requests.submit);
        const sent = await client().viewSubmission(user, viewId, values);
        return reply(res, 200, { ok: true, status: sent.status });
      }
      case '/ui/close': {
        const { user, viewId, values } = await json(req, Requests.close);
        await client().viewClosed(user, viewId, values);
        return reply(res, 200, { ok: true });
      }
      case '/ui/shortcut': {
        const { user, callbackId, channel, ts } = await json(req, Requests.shortcut);
        const sent = await client().shortcut(user, callbackId, channel && ts ? { channel, ts } : undefined);
        return reply(res, 200, { ok: true, status: sent.status });
      }
      case '/ui/home-opened': {
        const { user } = await json(req, Requests.home);
        await client().homeOpened(user);
        return reply(res, 200, { ok: true });
      }
      case '/ui/sandbox': {
        const op = await json(req, Requests.sandbox);
        if (op.op === 'port') await admin(`ports/${encodeURIComponent(op.id)}/status`, { status: op.status });
        if (op.op === 'advance') await admin('ports/advance', {});
        if (op.op === 'fault') {
          await admin('fault', FAULTS[op.fault]);
          fault = op.fault;
        }
        broadcast({ type: 'sandbox' });
        return reply(res, 200, { ok: true, sandbox: sandboxState() });
      }
      default:
        return reply(res, 404, 'not_found');
    }
  };

  /** `/slack/events` and `/healthz` belong to the bot: passed through byte for byte (signatures intact). */
  const toBot = (req: IncomingMessage, res: ServerResponse) => {
    if (!bot) return reply(res, 503, { ok: false, error: 'starting' });
    const target = new URL(req.url ?? '/', bot.url);
    const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) reply(res, 502, { ok: false, error: err.message });
    });
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://playground').pathname;
    if (BOT_PATHS.has(path)) return toBot(req, res);
    slack
      .handle(req, res)
      .then((handled) => (handled ? undefined : ui(req, res, path)))
      .catch((err: unknown) => {
        const message =
          err instanceof z.ZodError
            ? err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')
            : err instanceof Error
              ? err.message
              : String(err);
        log.warn({ err, path }, 'playground request failed');
        if (!res.headersSent) reply(res, 400, { error: message });
        else res.end();
      });
  });
  server.listen(opts.port, opts.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  slack.setBaseUrl(url);
  const keepAlive = setInterval(() => {
    for (const res of streams) res.write(': ping\n\n');
  }, 20_000);
  keepAlive.unref();

  return {
    url,
    broadcast,
    attachBot: (b) => {
      bot = b;
    },
    close: async () => {
      clearInterval(keepAlive);
      for (const res of streams) res.end();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
