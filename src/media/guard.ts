// Downloads go only where they should: results and uploads come from public hosts or from the hosts
// the operator configured (the proxy, Discord's API); a link that resolves to a private, loopback or
// link-local address elsewhere is refused at connect time (so a DNS answer cannot swap it later).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent } from 'undici';

const PRIVATE = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(net, bits, 'ipv6');

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

/** An undici dispatcher whose connections to untrusted hosts must resolve to public addresses. */
export function createDownloadAgent(trustedHosts: string[]): Agent {
  const trusted = new Set(trustedHosts.map((h) => h.toLowerCase()));
  const lookup = (hostname: string, options: object, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      if (!trusted.has(hostname.toLowerCase()) && list.some((a) => isPrivateAddress(a.address))) {
        const e: NodeJS.ErrnoException = new Error(`refused: ${hostname} resolves to a private address`);
        e.code = 'EPRIVATE';
        return callback(e, []);
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
  return new Agent({ connect: { lookup: lookup as never }, keepAliveTimeout: 5_000 });
}
