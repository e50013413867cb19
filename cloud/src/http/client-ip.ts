// The caller's address for rate limiting: the socket's peer, or, behind a trusted proxy, the rightmost
// X-Forwarded-For hop that is not a trusted proxy. Everything left of that hop was written by the
// client itself, so keying on the leftmost entry would let anyone pick a fresh key per request.
import type { Context } from 'hono';

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one address. */
function normalise(address: string): string {
  const trimmed = address.trim().toLowerCase();
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice('::ffff:'.length) : trimmed;
}

/**
 * The client address as seen by the first proxy we trust: walk X-Forwarded-For from the right (the
 * hop our own proxy appended) and skip the trusted proxies. With no untrusted hop, the peer itself.
 */
export function clientAddress(input: {
  peer: string;
  forwardedFor: string | undefined;
  trustProxy: boolean;
  /** Further proxy addresses in front of the peer (the peer is trusted whenever `trustProxy` is). */
  trustedProxies?: readonly string[];
}): string {
  if (!input.trustProxy || input.forwardedFor === undefined) return input.peer;
  const trusted = new Set([input.peer, ...(input.trustedProxies ?? [])].map(normalise));
  const hops = input.forwardedFor.split(',').map(normalise);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (hop !== undefined && hop !== '' && !trusted.has(hop)) return hop;
  }
  return input.peer;
}

export function clientIp(c: Context, trustProxy: boolean): string {
  const env = c.env as NodeBindings | undefined;
  return clientAddress({
    peer: env?.incoming?.socket?.remoteAddress ?? 'unknown',
    forwardedFor: c.req.header('x-forwarded-for'),
    trustProxy,
  });
}
