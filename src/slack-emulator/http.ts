import type { IncomingMessage, ServerResponse } from 'node:http';

export type Args = Record<string, unknown>;

/** Form fields the WebClient JSON-encodes; decoded back when they hold a JSON array or object. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata', 'file_uploads']);

export const isRecord = (x: unknown): x is Args => typeof x === 'object' && x !== null && !Array.isArray(x);
export const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
export const bool = (x: unknown): boolean | undefined =>
  x === undefined ? undefined : x === true || x === 'true';

function decodeField(key: string, value: string): unknown {
  if (!JSON_FIELDS.has(key) || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Parses form-urlencoded, multipart (file parts become Buffers) and JSON bodies. */
export async function parseBody(raw: Buffer, contentType = ''): Promise<Args> {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  const args: Args = {};
  if (type === 'application/json') {
    const parsed: unknown = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
    return isRecord(parsed) ? parsed : { body: parsed };
  }
  if (type === 'multipart/form-data') {
    const form = await new Response(new Uint8Array(raw), {
      headers: { 'content-type': contentType },
    }).formData();
    for (const [key, value] of form) {
      args[key] =
        typeof value === 'string' ? decodeField(key, value) : Buffer.from(await value.arrayBuffer());
    }
    return args;
  }
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) args[key] = decodeField(key, value);
  return args;
}

export function reply(
  res: ServerResponse,
  status: number,
  body: Args | string,
  headers: Record<string, string> = {},
): void {
  const json = typeof body !== 'string';
  res.writeHead(status, { 'content-type': json ? 'application/json' : 'text/plain', ...headers });
  res.end(json ? JSON.stringify(body) : body);
}
