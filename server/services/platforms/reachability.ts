// Instagram fetches the video from our URL: that only works when the app's address is on the public internet.
import { isIP } from 'node:net'

const privateV4 = [/^10\./, /^127\./, /^169\.254\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^0\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./]

/** Whether a platform on the internet can fetch from this address: https, and a host that is not local or private. */
export function isPublicUrl(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  }
  catch {
    return false
  }
  if (parsed.protocol !== 'https:') return false
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal') || host.endsWith('.test')) return false
  if (isIP(host) === 4) return !privateV4.some(pattern => pattern.test(host))
  if (isIP(host) === 6) return !(host === '::1' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80'))
  return host.includes('.')
}
