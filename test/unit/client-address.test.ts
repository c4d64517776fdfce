import { describe, expect, it } from 'vitest'
import { pickClientAddress } from '../../server/services/security/client-address'

describe('the client address behind trusted proxies', () => {
  it('takes the entry the trusted proxy appended, whatever the client wrote before it', () => {
    expect(pickClientAddress('6.6.6.6, 198.51.100.23', '10.0.0.2', 1)).toBe('198.51.100.23')
    expect(pickClientAddress('1.2.3.4, 6.6.6.6, 198.51.100.23', '10.0.0.2', 1)).toBe('198.51.100.23')
  })

  it('counts back one entry per trusted proxy (a CDN in front of the load balancer)', () => {
    expect(pickClientAddress('6.6.6.6, 198.51.100.23, 172.16.0.9', '10.0.0.2', 2)).toBe('198.51.100.23')
    expect(pickClientAddress(['6.6.6.6, 198.51.100.23', '172.16.0.9'], '10.0.0.2', 2)).toBe('198.51.100.23')
    expect(pickClientAddress('2001:db8::7, 172.16.0.9', '10.0.0.2', 2)).toBe('2001:db8::7')
  })

  it('ignores the header when no proxy is trusted, and falls back to the socket when the entry is not an address', () => {
    expect(pickClientAddress('6.6.6.6', '10.0.0.2', 0)).toBe('10.0.0.2')
    expect(pickClientAddress(undefined, '10.0.0.2', 1)).toBe('10.0.0.2')
    expect(pickClientAddress('6.6.6.6, not-an-address', '10.0.0.2', 1)).toBe('10.0.0.2')
    expect(pickClientAddress('198.51.100.23', '10.0.0.2', 3)).toBe('198.51.100.23')
  })
})
