// Answers as the sandbox builds them, before they are written to the socket, and the small
// router of the ONSIM routes.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';

export interface Reply {
  status: number;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export const json = (status: number, value: unknown): Reply => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});

export const text = (status: number, value: string): Reply => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: value,
});

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const statusTitle = (status: number): string => TITLES[status] ?? `HTTP ${status}`;

/** The gateway's error body (RFC 9457), as Zuplo writes it. */
export function problem(status: number, detail: string, instance: string): Reply {
  return {
    status,
    contentType: 'application/problem+json',
    body: JSON.stringify({
      type: `https://httpproblems.com/http-status/${status}`,
      title: statusTitle(status),
      status,
      detail,
      instance,
      trace: { timestamp: new Date().toISOString(), requestId: randomUUID() },
    }),
  };
}

/** Thrown by a handler to answer with a problem; the server adds the instance (the path). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string) => new HttpProblem(400, detail);
export const notFound = (detail: string) => new HttpProblem(404, detail);
export const conflict = (detail: string) => new HttpProblem(409, detail);

/** Parses a request body with `schema`; a failure is a 400 whose detail names each bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body === 'string') throw badRequest('The request body is not valid JSON.');
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw badRequest(
    parsed.error.issues
      .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
      .join('; '),
  );
}

// ---- Routing -------------------------------------------------------------------------------

/** `'/account/:mpn/bundle/:bundle'` → `'mpn' | 'bundle'` */
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

export interface RouteRequest<P extends string = string> {
  /** Decoded path parameters. */
  params: Record<ParamNames<P>, string>;
  body: unknown;
}

export interface Route {
  method: string;
  segments: string[];
  handle: (req: { params: Record<string, string>; body: unknown }) => Reply | Promise<Reply>;
}

export function route<P extends string>(
  method: string,
  path: P,
  handle: (req: RouteRequest<P>) => Reply | Promise<Reply>,
): Route {
  return { method, segments: path.split('/').slice(1), handle };
}

/** Finds the route for a path already split into decoded segments. */
export function match(
  routes: readonly Route[],
  method: string,
  segments: readonly string[],
): { route: Route; params: Record<string, string> } | undefined {
  for (const r of routes) {
    if (r.method !== method || r.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = r.segments.every((s, i) => {
      const value = segments[i] ?? '';
      if (s.startsWith(':')) {
        params[s.slice(1)] = value;
        return value !== '';
      }
      return s === value;
    });
    if (ok) return { route: r, params };
  }
  return undefined;
}
