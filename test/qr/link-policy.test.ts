import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { QrImageError } from '../../src/qr/image.js';
import { checkQrLink, hostAllowed, isPrivateAddress, type QrLinkPolicy } from '../../src/qr/link-policy.js';

const S3 = 'onsim-qr.s3.eu-west-2.amazonaws.com';
const LINK = `https://${S3}/qr/abc.png?X-Amz-Signature=deadbeef`;
const resolvesTo =
  (...addresses: string[]): QrLinkPolicy['lookup'] =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const policy = (over: Partial<QrLinkPolicy> = {}): QrLinkPolicy => ({
  hosts: ['*.amazonaws.com'],
  lookup: resolvesTo('52.95.150.10'),
  ...over,
});

async function refusal(link: string, p: QrLinkPolicy): Promise<string> {
  const error = await checkQrLink(link, p).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(QrImageError);
  expect(String(error)).not.toContain('deadbeef');
  return (error as QrImageError).message;
}

describe('the QR link check', () => {
  it('lets through an https link to an allowed host with public addresses', async () => {
    expect((await checkQrLink(LINK, policy())).url.hostname).toBe(S3);
  });

  it('refuses http, other hosts, credentials and links that are not URLs', async () => {
    expect(await refusal(LINK.replace('https:', 'http:'), policy())).toContain('not https');
    expect(await refusal('https://evil.example.com/qr.png', policy())).toContain(
      'not on an allowed image host',
    );
    expect(await refusal(`https://amazonaws.com.evil.example/qr.png`, policy())).toContain(
      'allowed image host',
    );
    expect(await refusal(`https://user:pw@${S3}/qr.png`, policy())).toContain('credentials');
    expect(await refusal('not a link', policy())).toContain('not a valid URL');
  });

  it('refuses an allowed host name that resolves to a private, loopback or metadata address', async () => {
    for (const address of [
      '10.1.2.3',
      '127.0.0.1',
      '169.254.169.254',
      '192.168.1.1',
      '::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ]) {
      const message = await refusal(LINK, policy({ lookup: resolvesTo('52.95.150.10', address) }));
      expect(message, address).toContain('private or loopback');
    }
    expect(
      await refusal('https://169.254.169.254/latest/meta-data', policy({ hosts: ['169.254.169.254'] })),
    ).toContain('private or loopback');
  });

  it('resolves again when connecting, and refuses a name that turned private since the check', async () => {
    const answers = [['52.95.150.10'], ['52.95.150.10', '2a05:d07a:a0::1'], ['169.254.169.254']];
    let call = 0;
    const rebinding: QrLinkPolicy['lookup'] = async () =>
      (answers[Math.min(call++, answers.length - 1)] ?? []).map((address) => ({
        address,
        family: address.includes(':') ? 6 : 4,
      }));
    const { connectLookup } = await checkQrLink(LINK, policy({ lookup: rebinding }));
    expect(connectLookup).not.toBeNull();
    const connect = (all: boolean) =>
      new Promise<{ err: Error | null; address: string | LookupAddress[] }>((resolve) =>
        connectLookup?.(S3, { all }, (err, address) => resolve({ err, address })),
      );

    const still = await connect(true);
    expect(still.err).toBeNull();
    expect(still.address).toEqual([
      { address: '52.95.150.10', family: 4 },
      { address: '2a05:d07a:a0::1', family: 6 },
    ]);
    const rebound = await connect(false);
    expect(rebound.err).toBeInstanceOf(QrImageError);
    expect(rebound.err?.message).toContain('private or loopback');
  });

  it("trusts links on ONSIM's own origin (the sandbox), and only there", async () => {
    const sandbox = 'http://127.0.0.1:4010';
    const own = await checkQrLink(`${sandbox}/qr/abc.png`, policy({ trustedOrigin: sandbox }));
    expect(own.url.origin).toBe(sandbox);
    expect(own.connectLookup).toBeNull();
    expect(await refusal('http://127.0.0.1:4011/qr/abc.png', policy({ trustedOrigin: sandbox }))).toContain(
      'not https',
    );
  });

  it('matches host patterns exactly or by subdomain', () => {
    expect(hostAllowed('a.b.amazonaws.com', ['*.amazonaws.com'])).toBe(true);
    expect(hostAllowed('amazonaws.com', ['*.amazonaws.com'])).toBe(false);
    expect(hostAllowed('xamazonaws.com', ['*.amazonaws.com'])).toBe(false);
    expect(hostAllowed(S3.toUpperCase(), [S3])).toBe(true);
    expect(isPrivateAddress('8.8.8.8')).toBe(false);
    expect(isPrivateAddress('2a00:1450::1')).toBe(false);
  });
});
