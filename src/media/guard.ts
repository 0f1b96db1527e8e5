// Downloads go only where they should: results and uploads come from public hosts or from the hosts
// the operator configured (the proxy, Discord's API); a link that resolves to a private, loopback or
// link-local address elsewhere is refused at connect time (so a DNS answer cannot swap it later).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';

const PRIVATE = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
// ::/96 holds the unspecified and loopback addresses and IPv4-compatible ones (::127.0.0.1);
// 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) embed IPv4 addresses; fec0::/10 is site-local.
for (const [net, bits] of [['::', 96], ['64:ff9b::', 96], ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8]] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Hostnames of configured URLs, which are trusted even on a private network. */
export function hostsOf(urls: (string | undefined)[]): string[] {
  const out = new Set<string>();
  for (const u of urls) {
    try {
      if (u) out.add(new URL(u).hostname.replace(/^\[|\]$/g, '').toLowerCase());
    } catch {
      // not a URL: nothing to trust
    }
  }
  return [...out];
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function refused(hostname: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`refused: ${hostname} is a private address`);
  e.code = 'EPRIVATE';
  return e;
}

/**
 * An undici dispatcher whose connections to untrusted hosts must go to public addresses: a host
 * name is checked on what it resolves to (in the lookup, so the address connected to is the one
 * checked); an address written in the URL is checked as it is (Node skips the lookup for those).
 */
export function createDownloadAgent(trustedHosts: string[]): Agent {
  const trusted = new Set(trustedHosts.map((h) => h.toLowerCase()));
  const lookup = (hostname: string, options: object, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      if (!trusted.has(hostname.toLowerCase()) && list.some((a) => isPrivateAddress(a.address))) return callback(refused(hostname), []);
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
  const base = buildConnector({ lookup: lookup as never });
  const connect: buildConnector.connector = (opts, callback) => {
    const host = opts.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (isIP(host) && !trusted.has(host) && isPrivateAddress(host)) return callback(refused(host), null);
    return base(opts, callback);
  };
  return new Agent({ connect, keepAliveTimeout: 5_000 });
}
