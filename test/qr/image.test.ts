import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchQrPng, isPng, PNG_SIGNATURE, QrImageError, renderQrLocally } from '../../src/qr/image.js';
import { publicOnlyLookup } from '../../src/qr/link-policy.js';

const CODE = 'LPA:1$smdp.example.com$MATCHINGID';

let server: Server;
let base = '';
let png: Buffer;
const hanging = new Set<ServerResponse>();

/** A stand-in for the S3 bucket behind ONSIM's presigned links. */
function handle(req: IncomingMessage, res: ServerResponse) {
  const path = req.url ?? '/';
  if (path === '/ok.png') {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
    return res.end(png);
  }
  if (path === '/expired.png') {
    res.writeHead(403, { 'content-type': 'application/xml' });
    return res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
  }
  if (path === '/html.png') {
    res.writeHead(200, { 'content-type': 'image/png' });
    return res.end('<html>not an image</html>');
  }
  if (path === '/declared-huge.png') {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': 50_000_000 });
    return res.end();
  }
  if (path === '/streamed-huge.png') {
    // No content-length: the size only shows while reading.
    res.writeHead(200, { 'content-type': 'image/png' });
    res.write(PNG_SIGNATURE);
    for (let i = 0; i < 64; i++) res.write(Buffer.alloc(16_384, 1));
    return res.end();
  }
  if (path === '/moved.png') {
    res.writeHead(302, { location: '/ok.png' });
    return res.end();
  }
  if (path === '/slow.png') {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.write(PNG_SIGNATURE);
    hanging.add(res);
    return;
  }
  res.writeHead(404);
  res.end();
}

beforeAll(async () => {
  png = await renderQrLocally(CODE);
  server = createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

describe('fetchQrPng', () => {
  it('returns the PNG bytes as served', async () => {
    const bytes = await fetchQrPng(`${base}/ok.png`);
    expect(bytes.equals(png)).toBe(true);
  });

  it.each([
    ['an expired link (403)', '/expired.png', 'answered 403 (expired or refused)'],
    ['a body that is not a PNG', '/html.png', 'not a PNG image'],
    ['a declared size over the limit', '/declared-huge.png', 'more than the 100000 allowed'],
    ['a streamed body over the limit', '/streamed-huge.png', 'larger than the 100000 bytes allowed'],
    ['a missing image (404)', '/missing.png', 'answered 404'],
  ])('refuses %s', async (_, path, reason) => {
    const error = await fetchQrPng(`${base}${path}`, { maxBytes: 100_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QrImageError);
    expect((error as QrImageError).message).toContain(reason);
  });

  it('follows no redirect (it could lead anywhere the link check did not look)', async () => {
    const error = await fetchQrPng(`${base}/moved.png`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QrImageError);
  });

  it('checks the link before fetching anything', async () => {
    const refused = new QrImageError('the image link is not https');
    let asked = 0;
    server.once('request', () => {
      asked++;
    });
    const error = await fetchQrPng(`${base}/ok.png`, {
      check: async () => {
        throw refused;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(refused);
    expect(asked).toBe(0);
  });

  it("connects only through the check's lookup, so the address checked is the address used", async () => {
    const { port } = server.address() as AddressInfo;
    const asked: string[] = [];
    const toLocal: LookupFunction = (host, options, callback) => {
      asked.push(host);
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    // No DNS knows this name: only the given lookup can lead the connection to the server.
    const bytes = await fetchQrPng(`http://qr.pinned.invalid:${port}/ok.png`, {
      check: async () => ({ connectLookup: toLocal }),
    });
    expect(bytes.equals(png)).toBe(true);
    expect(asked).toEqual(['qr.pinned.invalid']);
  });

  it('refuses to connect when the name resolves to a private address at download time (DNS rebinding)', async () => {
    const { port } = server.address() as AddressInfo;
    let reached = 0;
    const count = () => {
      reached++;
    };
    server.on('request', count);
    try {
      // `localhost` really is 127.0.0.1: without the lookup, this download would succeed.
      const error = await fetchQrPng(`http://localhost:${port}/ok.png`, {
        check: async () => ({
          connectLookup: publicOnlyLookup(async () => [{ address: '127.0.0.1', family: 4 }]),
        }),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QrImageError);
      expect((error as QrImageError).message).toContain('private or loopback');
      expect(reached).toBe(0);
    } finally {
      server.off('request', count);
    }
  });

  it('gives up on a download that does not finish in time', async () => {
    const error = await fetchQrPng(`${base}/slow.png`, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QrImageError);
    expect((error as QrImageError).message).toContain('did not download within 200 ms');
  });

  it('never puts the link (a 24-hour credential) in its error', async () => {
    const url = `${base}/expired.png?X-Amz-Signature=deadbeef`;
    const error = await fetchQrPng(url).catch((e: unknown) => e);
    expect(String(error)).not.toContain('deadbeef');
  });

  it('says the link could not be reached when nothing listens there', async () => {
    const error = await fetchQrPng('http://127.0.0.1:1/qr.png').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QrImageError);
    expect((error as QrImageError).message).toContain('could not be reached');
  });
});

describe('renderQrLocally', () => {
  it('draws a PNG, the same for the same code and different for another', async () => {
    const again = await renderQrLocally(CODE);
    const other = await renderQrLocally('LPA:1$smdp.example.com$OTHERID');
    expect(isPng(png)).toBe(true);
    expect(again.equals(png)).toBe(true);
    expect(other.equals(png)).toBe(false);
  });
});

describe('isPng', () => {
  it('checks the 8-byte signature', () => {
    expect(isPng(PNG_SIGNATURE)).toBe(true);
    expect(isPng(Buffer.from('\x89PNG\r\n\x1a'))).toBe(false);
    expect(isPng(Buffer.from('GIF89a..'))).toBe(false);
  });
});
