/**
 * A local ONSIM: the 18 operations over in-memory seed data, on a real HTTP server.
 * Tests and the bot (when no ONSIM_API_KEY is set) talk to it as they would to ONSIM; faults,
 * latency and port progress are steered through the returned object or `/__admin/*`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, pino } from 'pino';
import { z } from 'zod';
import * as ports from './ports.js';
import { HttpProblem, json, match, problem, type Reply, statusTitle, text } from './reply.js';
import { type OnsimContext, onsimRoutes, serveQr } from './routes.js';
import {
  addSubscriber,
  DEFAULT_SEED,
  type NewSandboxSubscriber,
  SANDBOX_FIXTURES,
  seedState,
} from './seed.js';
import {
  createRng,
  PORT_STATUSES,
  type Port,
  type Rng,
  type SandboxState,
  type Subscriber as SandboxSubscriber,
  subscriberByMpn,
} from './state.js';

export type { NewSandboxSubscriber } from './seed.js';
export { SANDBOX_FIXTURES } from './seed.js';
export type { Port, SandboxState } from './state.js';

export interface SandboxOptions {
  /** 0 = a free port (default). */
  port?: number;
  host?: string;
  apiKey?: string;
  /** PRNG seed: the same data on every run for the same seed. */
  seed?: number;
  /** Provisioned eSIMs become 'installed' after this long; 0 or negative = only on demand. */
  esimInstallAfterMs?: number;
  /** Open ports advance one step every this many ms; null = only on demand. */
  portAdvanceMs?: number | null;
  /** Delay before every ONSIM answer. */
  latencyMs?: number;
  /** How many recent requests `requests` keeps (oldest dropped first); default 1,000. */
  requestLogLimit?: number;
  logger?: Logger;
}

export interface Fault {
  /** Extra delay before the faulty (or, alone, the normal) answer. */
  latencyMs?: number;
  /** Answer with this status instead, e.g. 429, 500, 503. */
  status?: number;
  /** Seconds, sent as Retry-After: with 429 always (default 1), with other statuses when given. */
  retryAfter?: number;
  /** 200 with a truncated JSON body. */
  malformed?: boolean;
  /** Never answer (the socket is destroyed on close). */
  hang?: boolean;
  /** Shape of the error body; default 'problem' (application/problem+json). */
  body?: 'problem' | 'html' | 'text' | 'message' | 'error';
  /** The error's own words (in 'problem' and 'message' bodies), instead of the sandbox's. */
  detail?: string;
  /** Run the operation first, then answer with the fault: a write that took effect but whose
   * answer was lost. */
  afterEffect?: boolean;
  /** Applies to this many matching calls, then clears itself. */
  times?: number;
  match?: { method?: string; pathPrefix?: string };
}

export interface RecordedRequest {
  method: string;
  /** Decoded, without the query. */
  path: string;
  rawPath: string;
  /** Parsed JSON, else the text, else undefined. */
  body: unknown;
  authorized: boolean;
  at: number;
}

export interface Sandbox {
  /** 'http://127.0.0.1:PORT', no trailing slash: the ONSIM base URL. */
  url: string;
  apiKey: string;
  /** The most recent requests, oldest first (at most `requestLogLimit`). */
  requests: RecordedRequest[];
  /** Every ONSIM request received since start or reset, however many `requests` still keeps. */
  readonly requestCount: number;
  requestsTo(method: string, pathPrefix: string): RecordedRequest[];
  setFault(f: Fault | null): void;
  setLatency(ms: number): void;
  /** ONSIM answers nothing (requests are still received and recorded) until the returned function
   * is called, or reset or close: lets a test see what the bot does while an ONSIM call is open. */
  hold(): () => void;
  /** One step for every open port; returns the ports that changed. */
  advancePorts(): Port[];
  addPort(p?: Partial<Port>): Port;
  setPortStatus(id: string, status: string): Port;
  removePort(id: string): void;
  /** Adds n ports in mixed states (fast: 100,000 in well under a second). */
  seedPorts(n: number): void;
  /** Every 'ready to install' eSIM becomes 'installed' now. */
  installEsims(): void;
  /** This eSIM (19-digit ICCID) becomes 'installed' now. */
  installEsim(iccid: string): void;
  /** Adds an active subscriber (physical SIM) with these names. */
  addSubscriber(fields: NewSandboxSubscriber): SandboxSubscriber;
  /** Sets the data used this period by the line with this MPN. */
  setUsage(mpn: string, usedMb: number): void;
  /** Starts a new bundle period for every line; usage starts again from 0 unless kept. */
  setBundlePeriod(period: { from: string; to: string }, opts?: { keepUsage?: boolean }): void;
  /** The live state, for tests to read. */
  readonly state: SandboxState;
  /** Back to the seed data; faults, requests and latency are reset too. */
  reset(): void;
  /** Also releases hanging requests and stops timers. */
  close(): Promise<void>;
}

const FaultSchema = z.object({
  latencyMs: z.number().int().min(0).optional(),
  status: z.number().int().min(100).max(599).optional(),
  retryAfter: z.number().min(0).optional(),
  malformed: z.boolean().optional(),
  hang: z.boolean().optional(),
  body: z.enum(['problem', 'html', 'text', 'message', 'error']).optional(),
  detail: z.string().max(2_000).optional(),
  afterEffect: z.boolean().optional(),
  times: z.number().int().positive().optional(),
  match: z.object({ method: z.string().optional(), pathPrefix: z.string().optional() }).optional(),
});

const NewSubscriberFields = z.object({
  firstName: z.string().min(1).max(50),
  lastName: z.string().min(1).max(50),
  email: z.email().optional(),
  group: z.string().optional(),
  mpn: z.string().optional(),
  bundle: z.string().optional(),
  dataUsedMb: z.number().min(0).optional(),
});

const PortFields = z
  .object({
    trID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    number: z.string(),
    orderDate: z.string(),
    PAC: z.string(),
    portinDate: z.string(),
    portinNumber: z.string(),
    resellerId: z.string(),
    status: z.enum(PORT_STATUSES),
    type: z.literal('PORT-IN'),
    updatedDate: z.string(),
    validUntil: z.string(),
  })
  .partial();

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ name: 'onsim-sandbox' });
  const seed = opts.seed ?? DEFAULT_SEED;
  const apiKey = opts.apiKey ?? 'sandbox-key';
  const installAfterMs = opts.esimInstallAfterMs ?? 120_000;
  const portAdvanceMs = opts.portAdvanceMs === undefined ? 60_000 : opts.portAdvanceMs;
  const closing = new AbortController();
  /**
   * Wakes every request still waiting (latency, hang) when the sandbox closes; each takes itself
   * out when it ends. Not listeners on `closing.signal`: one per open request, a hung call its
   * client gave up on kept its own forever, and 11 at once already trip Node's leak warning.
   */
  const wakeOnClose = new Set<() => void>();
  /** Resolves after `ms`, or at once when the sandbox closes. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeOnClose.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      wakeOnClose.add(done);
    });
  const qrKey = randomBytes(32);
  const requests: RecordedRequest[] = [];
  let requestCount = 0;
  const requestLogLimit = opts.requestLogLimit ?? 1_000;
  const installTimers = new Set<NodeJS.Timeout>();

  let state = seedState(seed);
  // Runtime randomness (codes, passwords, port outcomes) has its own stream, so requests never
  // shift the seed data.
  let rng: Rng = createRng(seed + 1);
  let fault: (Fault & { left: number }) | null = null;
  let latencyMs = opts.latencyMs ?? 0;
  /** Set while `hold()` holds the answers; resolves when released. */
  let held: { released: Promise<void>; release: () => void } | null = null;
  const release = () => {
    held?.release();
    held = null;
  };
  let url = '';
  let portTimer: NodeJS.Timeout | undefined;

  const installEsim = (iccid: string) => {
    const esim = state.sims.get(iccid)?.esim;
    if (esim && esim.status === 'ready to install') {
      esim.status = 'installed';
      esim.enabledOnDevice = true;
    }
  };

  const ctx: OnsimContext = {
    get state() {
      return state;
    },
    get rng() {
      return rng;
    },
    get url() {
      return url;
    },
    qrKey,
    esimProvisioned(iccid) {
      if (installAfterMs <= 0) return;
      const timer = setTimeout(() => {
        installTimers.delete(timer);
        installEsim(iccid);
      }, installAfterMs);
      timer.unref();
      installTimers.add(timer);
    },
  };
  const routes = onsimRoutes(ctx);

  const clearInstallTimers = () => {
    for (const t of installTimers) clearTimeout(t);
    installTimers.clear();
  };

  const sandbox: Sandbox = {
    get url() {
      return url;
    },
    apiKey,
    requests,
    get requestCount() {
      return requestCount;
    },
    requestsTo: (method, prefix) =>
      requests.filter((r) => r.method === method.toUpperCase() && r.path.startsWith(prefix)),
    setFault(f) {
      fault = f ? { ...f, left: f.times ?? Number.POSITIVE_INFINITY } : null;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    hold() {
      if (!held) {
        let resolve = () => {};
        const released = new Promise<void>((r) => {
          resolve = r;
        });
        held = { released, release: resolve };
      }
      return release;
    },
    advancePorts: () => ports.advancePorts(state, rng),
    addPort: (p) => ports.addPort(state, rng, p),
    setPortStatus: (id, status) => ports.setPortStatus(state, id, status),
    removePort(id) {
      if (!state.ports.delete(id)) throw new Error(`no port ${id}`);
    },
    seedPorts: (n) => ports.seedPorts(state, rng, n),
    installEsims() {
      for (const sim of state.sims.values()) if (sim.state === 'ACTIVE') installEsim(sim.iccid);
    },
    installEsim(iccid) {
      const sim = state.sims.get(iccid);
      if (!sim?.esim) throw new Error(`no eSIM ${iccid}`);
      installEsim(iccid);
    },
    addSubscriber: (fields) => addSubscriber(state, rng, fields),
    setUsage(mpn, usedMb) {
      const sub = subscriberByMpn(state, mpn);
      if (!sub) throw new Error(`no account with MPN ${mpn}`);
      sub.dataUsedMb = usedMb;
    },
    setBundlePeriod(period, opts = {}) {
      state.bundlePeriod = { ...period };
      if (!opts.keepUsage) for (const sub of state.subscribers.values()) sub.dataUsedMb = 0;
    },
    get state() {
      return state;
    },
    reset() {
      clearInstallTimers();
      state = seedState(seed);
      rng = createRng(seed + 1);
      fault = null;
      latencyMs = opts.latencyMs ?? 0;
      release();
      requests.length = 0;
      requestCount = 0;
    },
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      for (const wake of [...wakeOnClose]) wake();
      release();
      clearInstallTimers();
      if (portTimer) clearInterval(portTimer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  /** Takes the fault for this call, if one matches; counts it down. */
  const takeFault = (method: string, path: string): Fault | undefined => {
    if (!fault) return undefined;
    const m = fault.match;
    if (m?.method && m.method.toUpperCase() !== method) return undefined;
    if (m?.pathPrefix && !path.startsWith(m.pathPrefix)) return undefined;
    const taken = fault;
    taken.left -= 1;
    if (taken.left <= 0) fault = null;
    return taken;
  };

  async function handleOnsim(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const body = parseRequestBody(raw);
    let path = rawPath;
    let segments: string[] | undefined;
    try {
      path = decodeURIComponent(rawPath);
      segments = rawPath.split('/').slice(1).map(decodeURIComponent);
    } catch {
      segments = undefined;
    }
    const authorized = isAuthorized(req.headers.authorization, apiKey);
    requests.push({ method, path, rawPath, body, authorized, at: Date.now() });
    requestCount += 1;
    // A long-running sandbox (the playground, a demo) must not keep every request it ever saw.
    if (requests.length > requestLogLimit) requests.splice(0, requests.length - requestLogLimit);

    const signal = closing.signal;
    if (latencyMs > 0) await pause(latencyMs);
    const f = takeFault(method, path);
    if (f?.latencyMs) await pause(f.latencyMs);
    if (held) await held.released;
    // Closed meanwhile: no answer, as when a wait was cut short.
    if (signal.aborted) {
      res.destroy();
      return;
    }

    const operate = async (): Promise<Reply> => {
      if (!segments) return problem(400, 'The path is not valid percent-encoding.', rawPath);
      const found = match(routes, method, segments);
      if (!found) return problem(404, `No route for ${method} ${path}.`, rawPath);
      if (!authorized) {
        return problem(
          401,
          req.headers.authorization ? 'Authorization Failed' : 'No Authorization Header',
          rawPath,
        );
      }
      try {
        return await found.route.handle({ params: found.params, body });
      } catch (err) {
        if (err instanceof HttpProblem) return problem(err.status, err.detail, rawPath);
        throw err;
      }
    };

    const faulty = f && (f.hang || f.malformed || f.status !== undefined);
    if (!f || !faulty) return send(res, await operate());
    if (f.afterEffect) await operate();
    if (f.hang) {
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        const done = () => {
          wakeOnClose.delete(done);
          res.off('close', done);
          resolve();
        };
        wakeOnClose.add(done);
        res.once('close', done);
      });
      res.destroy();
      return;
    }
    if (f.malformed) {
      return send(res, {
        status: 200,
        contentType: 'application/json',
        body: '{"account":[{"sim":"89445301000000',
      });
    }
    send(res, faultReply(f.status ?? 500, f, rawPath));
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
    const method = req.method ?? 'GET';
    const body = parseRequestBody(await readBody(req));
    try {
      const parts = rawPath.split('/').slice(2).map(decodeURIComponent);
      const [a, b, c] = parts;
      const at = `${method} /${parts.join('/')}`;
      if (at === 'POST /fault') {
        const next = body === null || body === undefined ? null : FaultSchema.parse(body);
        sandbox.setFault(next);
        return send(res, json(200, { fault: next }));
      }
      if (at === 'POST /latency') {
        sandbox.setLatency(z.object({ ms: z.number().int().min(0) }).parse(body).ms);
        return send(res, json(200, { latencyMs }));
      }
      if (at === 'POST /ports/advance') return send(res, json(200, sandbox.advancePorts()));
      if (at === 'POST /ports/seed') {
        sandbox.seedPorts(z.object({ n: z.number().int().min(0).max(1_000_000) }).parse(body).n);
        return send(res, json(200, { ports: state.ports.size }));
      }
      if (at === 'POST /ports') return send(res, json(201, sandbox.addPort(PortFields.parse(body ?? {}))));
      if (method === 'POST' && a === 'ports' && b && c === 'status' && parts.length === 3) {
        if (!state.ports.has(b)) return send(res, problem(404, `No port with id ${b}.`, rawPath));
        const { status } = z.object({ status: z.enum(PORT_STATUSES) }).parse(body);
        return send(res, json(200, sandbox.setPortStatus(b, status)));
      }
      if (method === 'DELETE' && a === 'ports' && b && parts.length === 2) {
        if (!state.ports.has(b)) return send(res, problem(404, `No port with id ${b}.`, rawPath));
        sandbox.removePort(b);
        return send(res, { status: 204, contentType: 'text/plain', body: '' });
      }
      if (at === 'POST /esims/install') {
        sandbox.installEsims();
        return send(res, { status: 204, contentType: 'text/plain', body: '' });
      }
      if (method === 'POST' && a === 'esims' && b && c === 'install' && parts.length === 3) {
        if (!state.sims.get(b)?.esim) return send(res, problem(404, `No eSIM with ICCID ${b}.`, rawPath));
        sandbox.installEsim(b);
        return send(res, { status: 204, contentType: 'text/plain', body: '' });
      }
      if (at === 'POST /subscribers') {
        const added = sandbox.addSubscriber(NewSubscriberFields.parse(body ?? {}));
        return send(res, json(201, { mpn: added.mpn, iccid: added.iccid, i_account: added.iAccount }));
      }
      if (at === 'POST /subscribers/seed') {
        const { n, ...fields } = NewSubscriberFields.partial()
          .extend({ n: z.number().int().min(1).max(100_000) })
          .parse(body);
        for (let i = 0; i < n; i++) {
          sandbox.addSubscriber({
            firstName: fields.firstName ?? `Test${i + 1}`,
            lastName: fields.lastName ?? 'Subscriber',
            ...fields,
            mpn: undefined,
          });
        }
        return send(res, json(200, { subscribers: state.subscribers.size }));
      }
      if (at === 'POST /usage') {
        const { mpn, usedMb } = z.object({ mpn: z.string(), usedMb: z.number().min(0) }).parse(body);
        if (!subscriberByMpn(state, mpn))
          return send(res, problem(404, `No account with MPN ${mpn}.`, rawPath));
        sandbox.setUsage(mpn, usedMb);
        return send(res, { status: 204, contentType: 'text/plain', body: '' });
      }
      if (at === 'POST /period') {
        const Stamp = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'like 2026-12-01 00:00:00');
        const p = z.object({ from: Stamp, to: Stamp, keepUsage: z.boolean().optional() }).parse(body);
        sandbox.setBundlePeriod({ from: p.from, to: p.to }, { keepUsage: p.keepUsage });
        return send(res, json(200, state.bundlePeriod));
      }
      if (at === 'GET /requests') return send(res, json(200, requests));
      if (at === 'GET /fixtures') return send(res, json(200, SANDBOX_FIXTURES));
      if (at === 'POST /reset') {
        sandbox.reset();
        return send(res, { status: 204, contentType: 'text/plain', body: '' });
      }
      send(res, problem(404, `No admin route ${at}.`, rawPath));
    } catch (err) {
      if (err instanceof z.ZodError) {
        const detail = err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
        return send(res, problem(400, detail, rawPath));
      }
      send(res, problem(400, err instanceof Error ? err.message : String(err), rawPath));
    }
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    const target = new URL(req.url ?? '/', 'http://sandbox');
    const rawPath = target.pathname;
    const handled = rawPath.startsWith('/__admin/')
      ? handleAdmin(req, res, rawPath)
      : req.method === 'GET' && rawPath.startsWith('/qr/')
        ? serveQr(state, rawPath, target.searchParams).then((reply) => send(res, reply))
        : handleOnsim(req, res, rawPath);
    handled
      .then(() =>
        log.debug(
          { method: req.method, path: rawPath, status: res.statusCode, ms: Date.now() - started },
          'request',
        ),
      )
      .catch((err: unknown) => {
        if (closing.signal.aborted) {
          res.destroy();
          return;
        }
        log.error({ err, method: req.method, path: rawPath }, 'sandbox handler failed');
        if (!res.headersSent) send(res, problem(500, 'The sandbox failed; see its log.', rawPath));
        else res.destroy();
      });
  });

  // Longer than any client's idle keep-alive, so clients always close idle sockets first: no
  // request races the server's close of the socket it was sent on (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  if (portAdvanceMs !== null && portAdvanceMs > 0) {
    portTimer = setInterval(() => {
      const changed = sandbox.advancePorts();
      if (changed.length > 0) log.debug({ changed: changed.length }, 'ports advanced');
    }, portAdvanceMs);
    portTimer.unref();
  }

  log.debug({ url, seed }, 'sandbox started');
  return sandbox;
}

function isAuthorized(header: string | undefined, apiKey: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m?.[1]?.trim() === apiKey;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON when it parses; otherwise the text (handlers answer 400 to it); undefined when empty. */
function parseRequestBody(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(reply.status, { 'content-type': reply.contentType, ...reply.headers });
  res.end(reply.body);
}

/** An error answer in the shape the fault asks for. */
function faultReply(status: number, f: Fault, instance: string): Reply {
  const title = statusTitle(status);
  const detail =
    f.detail ??
    (status === 429
      ? 'Rate limit exceeded: too many requests.'
      : `Fault injected by the sandbox (${status}).`);
  let reply: Reply;
  switch (f.body ?? 'problem') {
    case 'html':
      reply = {
        status,
        contentType: 'text/html; charset=utf-8',
        body: `<!DOCTYPE html>\n<html><head><title>${status} ${title}</title></head><body><center><h1>${status} ${title}</h1></center><hr><center>nginx</center></body></html>`,
      };
      break;
    case 'text':
      reply = text(status, title);
      break;
    case 'message':
      reply = json(status, { message: detail });
      break;
    case 'error':
      reply = json(status, { error: title });
      break;
    default:
      reply = problem(status, detail, instance);
  }
  if (status === 429 || f.retryAfter !== undefined)
    reply.headers = { 'retry-after': String(f.retryAfter ?? 1) };
  return reply;
}
