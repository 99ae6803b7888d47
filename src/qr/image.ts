// Getting the PNG of an eSIM QR code: downloaded from ONSIM's presigned link (bounded in size and
// time, checked to be a PNG), or drawn locally from the activation code when that fails.
import type { LookupFunction } from 'node:net';
import type { Dispatcher, fetch as undiciFetch } from 'undici';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export const isPng = (bytes: Uint8Array): boolean =>
  bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.equals(bytes.subarray(0, PNG_SIGNATURE.length));

/** Why the image could not be used. The message never holds the link (it is a credential for 24 h). */
export class QrImageError extends Error {
  override name = 'QrImageError';
}

export interface FetchQrOptions {
  /** For the whole download, body included. Default 10 s. */
  timeoutMs?: number;
  /** Default 2 MB; a QR PNG is a few kB. */
  maxBytes?: number;
  /**
   * Checked before anything is fetched (src/qr/link-policy.ts); the lookup it may give is the
   * only one the download's connection uses.
   */
  check?: (url: string) => Promise<{ connectLookup: LookupFunction | null }>;
}

/**
 * Downloads the PNG behind ONSIM's presigned URL. A redirect is refused (it could lead anywhere
 * the link check did not look). Throws QrImageError with a plain reason.
 */
export async function fetchQrPng(url: string, opts: FetchQrOptions = {}): Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxBytes ?? 2_000_000;
  const checked = await opts.check?.(url);
  // undici's own fetch, loaded on the first download: Node's built-in fetch takes no lookup.
  const { Agent, fetch } = await import('undici');
  const lookup = checked?.connectLookup;
  const dispatcher = lookup ? new Agent({ connect: { lookup } }) : undefined;
  try {
    return await download(fetch, dispatcher, url, timeoutMs, maxBytes);
  } finally {
    await dispatcher?.close().catch(() => {});
  }
}

async function download(
  fetch: typeof undiciFetch,
  dispatcher: Dispatcher | undefined,
  url: string,
  timeoutMs: number,
  maxBytes: number,
): Promise<Buffer> {
  const signal = AbortSignal.timeout(timeoutMs);
  const timedOut = () => new QrImageError(`the image did not download within ${timeoutMs} ms`);
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, {
      signal,
      redirect: 'error',
      headers: { Accept: 'image/png' },
      ...(dispatcher ? { dispatcher } : {}),
    });
  } catch (err) {
    if (signal.aborted) throw timedOut();
    // The connection's own lookup refused (a private address behind the name): say that.
    const cause = err instanceof Error ? err.cause : undefined;
    if (cause instanceof QrImageError) throw cause;
    throw new QrImageError(
      `the image link could not be reached (${err instanceof Error ? err.name : 'error'})`,
    );
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => {});
    throw new QrImageError(
      `the image link answered ${res.status}${res.status === 403 ? ' (expired or refused)' : ''}`,
    );
  }
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new QrImageError(`the image is ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const reader = res.body?.getReader();
    for (;;) {
      if (!reader) break;
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new QrImageError(`the image is larger than the ${maxBytes} bytes allowed`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof QrImageError) throw err;
    if (signal.aborted) throw timedOut();
    throw new QrImageError('the image download broke off');
  }
  const bytes = Buffer.concat(chunks);
  if (!isPng(bytes)) throw new QrImageError('the download is not a PNG image');
  return bytes;
}

/** Draws the activation code as a PNG QR code (the same settings ONSIM's images use). */
export async function renderQrLocally(code: string): Promise<Buffer> {
  // Loaded at the first QR drawn here (most come from ONSIM's link): qrcode and pngjs stay out of
  // a bot that never draws one.
  const { default: QRCode } = await import('qrcode');
  return QRCode.toBuffer(code, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 512 });
}
