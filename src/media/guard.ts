// Downloads go only where they should: results and uploads come from public hosts or from the
// origins the operator configured (the proxy, Discord's API); a link that resolves to a private,
// loopback or link-local address elsewhere is refused at connect time (so a DNS answer cannot swap
// it later). Trust is an origin, scheme + host + port, not a host: a trusted proxy on 127.0.0.1:5310
// must not make every other port of 127.0.0.1 reachable (a port-scan oracle).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';

// IANA's IPv4 and IPv6 special-purpose address registries, less the blocks that are globally
// reachable (https://www.iana.org/assignments/iana-ipv4-special-registry,
// https://www.iana.org/assignments/iana-ipv6-special-registry). 240.0.0.0/4 holds 255.255.255.255;
// 192.88.99.0/24 is the retired 6to4 relay anycast.
const PRIVATE4 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  PRIVATE4.addSubnet(net, bits, 'ipv4');
}
// ::/96 holds the unspecified and loopback addresses and IPv4-compatible ones (::127.0.0.1);
// 64:ff9b:1::/48 is local-use NAT64; 100::/64 discard-only; 2001::/23 IETF protocol assignments
// (Teredo among them); 2001:db8::/32 and 3fff::/20 documentation; 5f00::/16 SRv6; fec0::/10 is
// site-local. The blocks that embed an IPv4 address are checked by that address (embeddedIpv4).
const PRIVATE6 = new BlockList();
for (const [net, bits] of [
  ['::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['3fff::', 20], ['5f00::', 16],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) {
  PRIVATE6.addSubnet(net, bits, 'ipv6');
}

/** The eight 16-bit words of a valid IPv6 address (a dotted IPv4 tail and a zone id allowed). */
function ipv6Words(address: string): number[] {
  let s = address.toLowerCase().replace(/%.*$/, '');
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.slice(1).map(Number);
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((x) => parseInt(x, 16));
}

const dotted = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 address an IPv6 one stands for, where the connection ends at that IPv4 address:
 * IPv4-mapped (::ffff:0:0/96) and SIIT-translated (::ffff:0:0:0/96), NAT64 (64:ff9b::/96), 6to4 (2002::/16).
 */
function embeddedIpv4(w: number[]): string | null {
  const zero = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  // Eight words, always (ipv6Words checks).
  const [w0, w1 = 0, w2 = 0, , w4, w5, w6 = 0, w7 = 0] = w;
  if (zero(0, 5) && w5 === 0xffff) return dotted(w6, w7);
  if (zero(0, 4) && w4 === 0xffff && w5 === 0) return dotted(w6, w7);
  if (w0 === 0x64 && w1 === 0xff9b && zero(2, 6)) return dotted(w6, w7);
  if (w0 === 0x2002) return dotted(w1, w2);
  return null;
}

/** True for anything but a public unicast address (a string that is not an address counts as private). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE4.check(address, 'ipv4');
  if (family !== 6) return true;
  const words = ipv6Words(address);
  const v4 = embeddedIpv4(words);
  if (v4) return PRIVATE4.check(v4, 'ipv4');
  return PRIVATE6.check(address.replace(/%.*$/, ''), 'ipv6');
}

/**
 * `scheme://host:port` of a URL, normalized: WHATWG parsing turns every IPv4 spelling
 * (0x7f000001, 2130706433, 0177.0.0.1, 127.1) into dotted decimal, compresses IPv6 and lower-cases
 * names; a name's trailing dot is dropped and the default port written out. Null for non-http(s).
 */
export function originOf(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const host = u.hostname.replace(/\.+$/, '');
  return `${u.protocol}//${host}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}

/** Origins of configured URLs, which are trusted even on a private network. */
export function originsOf(urls: (string | undefined)[]): string[] {
  return [...new Set(urls.map((u) => (u ? originOf(u) : null)).filter((o): o is string => o !== null))];
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function refused(hostname: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`refused: ${hostname} is a private address`);
  e.code = 'EPRIVATE';
  return e;
}

type Resolve = (hostname: string, options: { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** A DNS lookup that fails when any answer (IPv4 or IPv6, of all of them) is not public. */
const publicOnly = (resolve: Resolve) => (hostname: string, options: object, callback: LookupCallback): void => {
  resolve(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    if (list.length === 0 || list.some((a) => isPrivateAddress(a.address))) return callback(refused(hostname), []);
    if ((options as { all?: boolean }).all) return callback(null, list);
    const [first] = list as [LookupAddress];
    callback(null, first.address, first.family);
  });
};

/**
 * An undici dispatcher whose connections, except to the trusted origins, must go to public
 * addresses: a host name is checked on what it resolves to (in the lookup, so the address
 * connected to is the one checked); an address written in the URL is checked as it is (Node skips
 * the lookup for those).
 */
export function createDownloadAgent(trustedOrigins: string[], resolve: Resolve = dnsLookup as Resolve): Agent {
  const trusted = new Set(trustedOrigins);
  const direct = buildConnector({});
  const guarded = buildConnector({ lookup: publicOnly(resolve) as never });
  const connect: buildConnector.connector = (opts, callback) => {
    // undici hands IPv6 hosts over without brackets.
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    const origin = originOf(`${opts.protocol}//${isIP(host) === 6 ? `[${host}]` : host}:${opts.port ?? ''}`);
    if (origin && trusted.has(origin)) return direct(opts, callback);
    if (isIP(host) && isPrivateAddress(host)) return callback(refused(host), null);
    return guarded(opts, callback);
  };
  return new Agent({ connect, keepAliveTimeout: 5_000 });
}
