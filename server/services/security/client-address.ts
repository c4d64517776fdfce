import { isIP } from 'node:net'

/**
 * The address of the client behind `trustedHops` proxies of our own. Each proxy appends the address it saw to
 * X-Forwarded-For, so the client writes the left of the list and only the right-most `trustedHops` entries are ours:
 * the client is the entry our outermost proxy appended. With no trusted proxy it is the socket's peer.
 */
export function pickClientAddress(forwardedFor: string | string[] | undefined, socketAddress: string | undefined, trustedHops: number): string | undefined {
  if (trustedHops <= 0 || !forwardedFor) return socketAddress
  // Several headers are one list, in order.
  const hops = [forwardedFor].flat().join(',').split(',').map(entry => entry.trim()).filter(Boolean)
  if (hops.length === 0) return socketAddress
  // Fewer entries than proxies: the request skipped one, and every entry there is still a proxy's.
  const chosen = hops[Math.max(0, hops.length - trustedHops)]!
  return isIP(chosen) ? chosen : socketAddress
}
