// Where the bot may download an eSIM QR image from. ONSIM answers with a presigned link; the bot
// fetches it from its own network, so a link to anywhere else (an internal service, a cloud
// metadata address) would make the bot a proxy into that network.
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { QrImageError } from './image.js';

export interface QrLinkPolicy {
  /** Host patterns: an exact host, or `*.example.com` for any host under example.com. */
  hosts: readonly string[];
  /** ONSIM's own origin (the sandbox, a local test double): its links are ONSIM's and trusted. */
  trustedOrigin?: string;
  /** Resolves a host name (tests give their own). */
  lookup?: Resolve;
}

type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

/** A link that passed the check, and how to connect to it. */
export interface CheckedQrLink {
  url: URL;
  /**
   * For the download's connection: resolves the host again and refuses a private address then
   * too, so a name that answered with a public address for the check and a private one a moment
   * later (DNS rebinding) still cannot reach inside. Null for ONSIM's own origin.
   */
  connectLookup: LookupFunction | null;
}

const PRIVATE_REFUSAL = 'the image link points at a private or loopback address';

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** True for loopback, private, link-local and other addresses that are not the public internet. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((raw) => {
    const p = raw.toLowerCase().trim();
    return p.startsWith('*.') ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : h === p;
  });
}

/**
 * Checks ONSIM's QR link before anything is fetched: https, an allowed host, and only public
 * addresses behind it (links on ONSIM's own origin excepted). Throws QrImageError with a plain
 * reason that never quotes the link (it is a credential for 24 hours).
 */
export async function checkQrLink(raw: string, policy: QrLinkPolicy): Promise<CheckedQrLink> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new QrImageError('the image link is not a valid URL');
  }
  if (policy.trustedOrigin && url.origin === new URL(policy.trustedOrigin).origin) {
    return { url, connectLookup: null };
  }
  if (url.protocol !== 'https:') throw new QrImageError('the image link is not https');
  if (url.username || url.password) throw new QrImageError('the image link carries credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!hostAllowed(host, policy.hosts))
    throw new QrImageError('the image link is not on an allowed image host');
  const resolve: Resolve = policy.lookup ?? ((h) => dnsLookup(h, { all: true, verbatim: true }));
  await publicAddresses(host, resolve);
  return { url, connectLookup: publicOnlyLookup(resolve) };
}

async function publicAddresses(
  host: string,
  resolve: Resolve,
): Promise<{ address: string; family: number }[]> {
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  } catch {
    throw new QrImageError("the image link's host could not be resolved");
  }
  if (addresses.length === 0 || addresses.some((a) => isPrivateAddress(a.address))) {
    throw new QrImageError(PRIVATE_REFUSAL);
  }
  return addresses;
}

/** A `net.connect` lookup that only ever hands over public addresses (see CheckedQrLink). */
export function publicOnlyLookup(resolve: Resolve): LookupFunction {
  return (hostname, options, callback) => {
    publicAddresses(hostname, resolve).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const wanted = family ? addresses.filter((a) => a.family === family) : addresses;
        const [first] = wanted;
        if (!first)
          callback(new QrImageError("the image link's host has no address of the family asked"), '');
        else if (options.all) callback(null, wanted);
        else callback(null, first.address, first.family);
      },
      (err: Error) => callback(err, ''),
    );
  };
}
