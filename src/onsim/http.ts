import { STATUS_CODES } from 'node:http';
import { FetchError, type FetchOptions, ofetch } from 'ofetch';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Metrics } from '../metrics.js';
import {
  OnsimApiError,
  OnsimConnectionError,
  type OnsimError,
  OnsimNotFoundError,
  OnsimOutcomeUnknownError,
  OnsimRateLimitedError,
  OnsimResponseError,
  OnsimServerError,
  OnsimTimeoutError,
  OnsimUnauthorizedError,
} from './errors.js';

/**
 * reads may be repeated freely; writes may have taken effect on any answer but 429
 * (the gateway refused before ONSIM saw it), so only 429 is retried for them.
 */
export type CallKind = 'read' | 'write';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No new attempt starts after this much time since the first. */
  totalBudgetMs: number;
}

export interface OnsimHttpOptions {
  baseUrl: string;
  apiKey: string;
  logger: Logger;
  timeoutMs?: number;
  /** Answers larger than this are refused unread (default 64 MiB). */
  maxResponseBytes?: number;
  readRetry?: Partial<RetryPolicy>;
  writeRetry?: Partial<RetryPolicy>;
  /** For tests: replaces setTimeout-based waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Counts every attempt by operation and status, with its latency, and the retries. */
  metrics?: Metrics;
}

export interface OnsimRequest<S extends z.ZodType> {
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Already encoded path, e.g. `/port/all/IN%20PROGRESS`. */
  path: string;
  body?: Record<string, unknown>;
  kind: CallKind;
  response: S;
}

export type OnsimHttp = <S extends z.ZodType>(req: OnsimRequest<S>) => Promise<z.output<S>>;

/** A read whose answer is consumed as it arrives (a list too large to hold as text), not buffered. */
export interface OnsimStreamRequest<T> {
  operation: string;
  /** Already encoded, as in OnsimRequest. */
  path: string;
  /**
   * Reads a 2xx answer's body; called afresh on every attempt, since a read is retried when its
   * answer breaks off. What it throws ends the call as it is.
   */
  read: (body: AsyncIterable<Uint8Array>) => Promise<T>;
}

export type OnsimStreamHttp = <T>(req: OnsimStreamRequest<T>) => Promise<T>;
export type OnsimStreamingHttp = OnsimHttp & { stream: OnsimStreamHttp };

const DEFAULT_READ: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 4_000,
  totalBudgetMs: 20_000,
};
const DEFAULT_WRITE: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 5_000,
  totalBudgetMs: 20_000,
};

/**
 * The longest one write may take: retries start within the budget, and the last attempt may
 * then wait its whole timeout. A shutdown drains at least this long, so no write is cut off.
 */
export function longestWriteMs(timeoutMs: number, policy: Partial<RetryPolicy> = {}): number {
  return { ...DEFAULT_WRITE, ...policy }.totalBudgetMs + timeoutMs;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Encodes one path segment (`IN PROGRESS` has a space). */
export const seg = (value: string | number): string => encodeURIComponent(String(value));

export function createOnsimHttp(opts: OnsimHttpOptions): OnsimStreamingHttp {
  const log = opts.logger.child({ name: 'onsim' });
  const timeout = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const read = { ...DEFAULT_READ, ...opts.readRetry };
  const write = { ...DEFAULT_WRITE, ...opts.writeRetry };
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const api = ofetch.create({
    baseURL: opts.baseUrl,
    headers: { Authorization: `Bearer ${opts.apiKey}`, Accept: 'application/json' },
    timeout,
    // Retries are decided below, per call kind: a default here would repeat POST and DELETE too.
    retry: 0,
    ignoreResponseError: true,
    // Read by `cappedBody`, so an endless or huge answer is cut off at the cap, never buffered whole.
    responseType: 'stream',
  });

  /**
   * One call with its retries. A 2xx answer's body goes to `readOk` (the attempt's own reading:
   * its errors end the call as they are, but a body that breaks off is a transport failure like
   * any other); other answers are read, capped, as error bodies.
   */
  async function call<T>(req: Call, readOk: (body: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T> {
    const policy = req.kind === 'read' ? read : write;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const t0 = Date.now();
      const stopClock = opts.metrics?.onsimSeconds.startTimer({ operation: req.operation });
      let status = 'network';
      let failure: OnsimError | undefined;
      let success: { value: T } | undefined;
      let own: { error: unknown } | undefined;
      let retryAfterMs: number | undefined;
      let tooLarge = false;
      try {
        // Our own signal, not ofetch's `timeout`: that one stops at the headers, this one also bounds the body.
        const fetchOpts: FetchOptions<'stream'> = {
          method: req.method,
          signal: AbortSignal.timeout(timeout),
        };
        if (req.body) fetchOpts.body = req.body;
        const res = await api.raw<ReadableStream<Uint8Array>, 'stream'>(req.path, fetchOpts);
        const ok = res.status >= 200 && res.status < 300;
        const body = cappedBody(res.body, res.headers.get('content-length'), maxBytes);
        let text = '';
        try {
          if (ok) success = { value: await readOk(body) };
          else text = await textOf(body);
        } catch (err) {
          if (err instanceof BodyBrokeOff) throw err.cause;
          if (err instanceof TooLarge) tooLarge = true;
          else own = { error: err };
        }
        status = String(res.status);
        log.debug(
          {
            operation: req.operation,
            method: req.method,
            path: req.path,
            status: res.status,
            ms: Date.now() - t0,
            attempt,
          },
          'onsim call',
        );
        if (!ok) {
          const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
          failure = apiError(req.operation, res.status, text, res.headers.get('content-type'), retryAfter);
          // The gateway's word on when to come back, after a 429 and after a 503 alike.
          if (retryAfter !== undefined) retryAfterMs = retryAfter * 1000;
        }
      } catch (err) {
        failure = transportError(req.operation, err, timeout);
        if (failure instanceof OnsimTimeoutError) status = 'timeout';
        log.debug(
          { operation: req.operation, method: req.method, path: req.path, attempt, err: failure.message },
          'onsim call failed',
        );
      }
      stopClock?.();
      opts.metrics?.onsimCalls.inc({ operation: req.operation, status });
      if (own) throw own.error;
      if (success) return success.value;
      if (tooLarge) {
        throw new OnsimResponseError(
          req.operation,
          `${req.operation}: ONSIM's answer was larger than ${formatMb(maxBytes)} and was not read (raise ONSIM_MAX_RESPONSE_MB if it is expected)`,
        );
      }
      if (!failure) throw new OnsimResponseError(req.operation, `${req.operation}: no answer from ONSIM`);

      const retryable =
        failure instanceof OnsimRateLimitedError ||
        (req.kind === 'read' &&
          (failure instanceof OnsimServerError ||
            failure instanceof OnsimConnectionError ||
            failure instanceof OnsimTimeoutError));
      const delay = retryAfterMs ?? backoff(policy, attempt);
      const withinBudget = Date.now() - started + delay <= policy.totalBudgetMs;
      if (retryable && attempt < policy.maxAttempts && withinBudget) {
        log.info(
          { operation: req.operation, attempt, delayMs: delay, reason: failure.name },
          'retrying onsim call',
        );
        opts.metrics?.onsimRetries.inc({ operation: req.operation });
        await sleep(delay);
        continue;
      }
      if (req.kind === 'write' && mayHaveTakenEffect(failure)) {
        throw new OnsimOutcomeUnknownError(req.operation, describeUnknown(failure), { cause: failure });
      }
      throw failure;
    }
  }

  const request = (async <S extends z.ZodType>(req: OnsimRequest<S>): Promise<z.output<S>> => {
    const text = await call(req, textOf);
    // Parsed outside the call: an answer we cannot read is not a transport failure, and is not retried.
    return parseAnswer(req.operation, req.response, text);
  }) as OnsimStreamingHttp;
  request.stream = (req) => call({ ...req, method: 'GET', kind: 'read' }, req.read);
  return request;
}

type Call = Pick<OnsimRequest<z.ZodType>, 'operation' | 'method' | 'path' | 'body' | 'kind'>;

const formatMb = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** The answer was larger than the cap: the body was cancelled. */
class TooLarge extends Error {}
/** The body broke off while being read (connection reset, timeout): `cause` is why. */
class BodyBrokeOff extends Error {}

/**
 * The body's chunks, reading at most `maxBytes`: a larger one (declared or streamed) is cancelled
 * and TooLarge thrown; a failing read throws BodyBrokeOff. A reader that stops early cancels it.
 */
async function* cappedBody(
  body: ReadableStream<Uint8Array> | null,
  contentLength: string | null,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  if (!body) return;
  if (contentLength !== null && Number(contentLength) > maxBytes) {
    await body.cancel().catch(() => undefined);
    throw new TooLarge();
  }
  const reader = body.getReader();
  let size = 0;
  let done = false;
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (cause) {
        throw new BodyBrokeOff('the answer broke off', { cause });
      }
      if (next.done) {
        done = true;
        return;
      }
      size += next.value.byteLength;
      if (size > maxBytes) throw new TooLarge();
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
}

/** The whole body as text (an error body cut off at the cap still names its status). */
async function textOf(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // "Full jitter": spreads retries of many clients apart.
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

function mayHaveTakenEffect(e: OnsimError): boolean {
  return e instanceof OnsimServerError || e instanceof OnsimTimeoutError || e instanceof OnsimConnectionError;
}

function describeUnknown(e: OnsimError): string {
  if (e instanceof OnsimTimeoutError) return 'ONSIM did not answer in time';
  // The status and its standard phrase: ONSIM's own title may be a sentence of its body.
  if (e instanceof OnsimServerError) return `ONSIM answered ${e.status} ${STATUS_CODES[e.status] ?? 'error'}`;
  return 'the connection to ONSIM failed mid-request';
}

/** `text` read by `schema`; an answer of another shape is an OnsimResponseError naming what is wrong. */
export function parseAnswer<S extends z.ZodType>(operation: string, schema: S, text: string): z.output<S> {
  const body = parseBody(text);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new OnsimResponseError(
      operation,
      `${operation}: ONSIM's answer did not have the expected shape (${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')})`,
    );
  }
  return parsed.data;
}

/** JSON when it parses, otherwise the trimmed text (ONSIM answers some writes with plain text). */
function parseBody(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const clean = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.replace(/\s+/g, ' ').trim() : undefined;

/** The words of one error entry: a string, or an object's message, detail, title or error. */
function words(v: unknown): string | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    return clean(o.message) ?? clean(o.detail) ?? clean(o.title) ?? words(o.error);
  }
  return clean(v);
}

/** `{errors: [...]}` (validation problems), `{errors: {field: [...]}}`, as one line. */
function listedErrors(v: unknown): string | undefined {
  const entries = Array.isArray(v)
    ? v.map((e) => {
        const said = words(e);
        const field = e && typeof e === 'object' ? clean((e as Record<string, unknown>).field) : undefined;
        return said && field ? `${field}: ${said}` : said;
      })
    : v && typeof v === 'object'
      ? Object.entries(v).map(([field, e]) => {
          const said = Array.isArray(e) ? e.map(words).filter(Boolean).join(', ') : words(e);
          return said ? `${field}: ${said}` : undefined;
        })
      : [];
  const found = entries.filter((e): e is string => e !== undefined);
  return found.length > 0 ? found.join('; ') : undefined;
}

/** The readable text of an HTML error page: its title, else its first heading, else its text. */
function htmlText(html: string): string {
  const pick = (re: RegExp) => clean(re.exec(html)?.[1]?.replace(/<[^>]*>/g, ' '));
  return (
    pick(/<title[^>]*>([\s\S]*?)<\/title>/i) ??
    pick(/<h1[^>]*>([\s\S]*?)<\/h1>/i) ??
    clean(
      html
        .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
        .replace(/<[^>]*>/g, ' ')
        .replace(/&nbsp;/g, ' '),
    ) ??
    ''
  );
}

/**
 * Pulls a title and detail out of whatever error body ONSIM or its gateway sent: problem+json,
 * `{message}`, `{error}`, `{error: {message}}`, `{errors: [...]}`, plain text or an HTML page.
 * Words that only repeat the HTTP status are dropped, so "400 Bad Request" is not said twice.
 */
export function describeErrorBody(
  status: number,
  body: string,
  contentType: string | null,
): { title: string; detail: string | undefined } {
  const fallback = STATUS_TITLES[status] ?? `HTTP ${status}`;
  const parsed = parseBody(body);
  let title = fallback;
  let detail: string | undefined;
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const o = parsed as Record<string, unknown>;
    const errors = listedErrors(o.errors);
    title = clean(o.title) ?? words(o.error) ?? clean(o.message) ?? fallback;
    const said = [clean(o.detail), clean(o.message), words(o.error), errors].filter(
      (w): w is string => w !== undefined && w !== title,
    );
    detail = said[0] === undefined ? undefined : [...new Set(said)].slice(0, 2).join(' — ');
  } else if (Array.isArray(parsed)) {
    detail = listedErrors(parsed);
  } else if (typeof parsed === 'string') {
    const isHtml = (contentType ?? '').includes('html') || /^<(!doctype|html)/i.test(parsed);
    detail = isHtml ? htmlText(parsed) : clean(parsed);
  }
  // "503 Service Unavailable" from a gateway page says no more than the status itself.
  const bare = detail?.replace(new RegExp(`^(HTTP\\s*)?${status}\\b[\\s:-]*`, 'i'), '').trim();
  if (bare !== undefined && (bare === '' || bare.toLowerCase() === title.toLowerCase())) detail = undefined;
  return { title: title.slice(0, 200), detail: detail?.slice(0, 300) };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function apiError(
  operation: string,
  status: number,
  body: string,
  contentType: string | null,
  retryAfterSeconds: number | undefined,
): OnsimApiError {
  const { title, detail } = describeErrorBody(status, body, contentType);
  if (status === 429) return new OnsimRateLimitedError(operation, title, detail, retryAfterSeconds);
  if (status === 404) return new OnsimNotFoundError(operation, status, title, detail);
  if (status === 401 || status === 403) return new OnsimUnauthorizedError(operation, status, title, detail);
  if (status >= 500) return new OnsimServerError(operation, status, title, detail);
  return new OnsimApiError(operation, status, title, detail);
}

function transportError(operation: string, err: unknown, timeoutMs: number): OnsimError {
  const cause = err instanceof FetchError ? (err.cause ?? err) : err;
  const name = cause instanceof Error ? cause.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new OnsimTimeoutError(operation, `${operation}: ONSIM did not answer within ${timeoutMs} ms`, {
      cause,
    });
  }
  const reason = cause instanceof Error ? (describeCause(cause) ?? cause.message) : String(cause);
  return new OnsimConnectionError(operation, `${operation}: could not reach ONSIM (${reason})`, { cause });
}

function describeCause(e: Error): string | undefined {
  const inner = e.cause;
  if (inner && typeof inner === 'object' && 'code' in inner && typeof inner.code === 'string')
    return inner.code;
  return undefined;
}
