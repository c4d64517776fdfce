// The way back after sign-in travels in `?next=`. Only a path on this site is followed: anything a browser could read
// as another site ("//evil.example", "https://evil.example", "/\evil.example", control characters) is an open redirect.
const OWN_ORIGIN = 'https://reelwise.invalid'

/** Where a sign-in link asked for by e-mail keeps the way back until /auth/callback opens on this device. */
export const RETURN_PATH_KEY = 'reelwise:return-path'

/** `next` if it is a path on this site ("/library/abc?tab=x"), else "/". */
export function safeReturnPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) return '/'
  // Browsers read a backslash as a slash and drop tabs and newlines, so "/\evil" and "/\t/evil" would leave the site.
  if (/[\\\p{Cc}]/u.test(next)) return '/'
  const url = new URL(next, OWN_ORIGIN)
  if (url.origin !== OWN_ORIGIN || url.pathname === '/login') return '/'
  return url.pathname + url.search + url.hash
}

/** The sign-in page, told where to come back to ("/login?next=/library/abc"). */
export function signInLocation(returnTo: string): { path: string, query: Record<string, string> } {
  const next = safeReturnPath(returnTo)
  return { path: '/login', query: next === '/' ? {} : { next } }
}
