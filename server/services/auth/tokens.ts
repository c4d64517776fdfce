import { createHash, hkdfSync, randomBytes } from 'node:crypto'
import { jwtVerify, SignJWT } from 'jose'

export const ACCESS_TOKEN_SECONDS = 15 * 60
export const REFRESH_TOKEN_DAYS = 30

const keys = new Map<string, Uint8Array>()

// A key of its own for access tokens, derived from SECRET_KEY so that rotating SECRET_KEY signs everyone out.
function accessKey(secret: string): Uint8Array {
  let key = keys.get(secret)
  if (!key) {
    key = new Uint8Array(hkdfSync('sha256', secret, 'reelwise', 'access-token-v1', 32))
    keys.set(secret, key)
  }
  return key
}

export interface AccessClaims { userId: string, sessionId: string }

export function signAccessToken(claims: AccessClaims, secret: string, now = Date.now()): Promise<string> {
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + ACCESS_TOKEN_SECONDS)
    .setIssuer('reelwise')
    .setAudience('reelwise')
    .sign(accessKey(secret))
}

// Checking the signature costs about as much CPU as the session lookup it guards (bench/auth.ts), and a token's claims
// never change, so this process remembers the tokens it has verified until they expire. Only the signature check is
// remembered here: whether the session is still live is checked on every request (server/services/auth/session-cache.ts).
const REMEMBERED_TOKENS = 10_000
const verified = new Map<string, { secret: string, claims: AccessClaims, expiresAtMs: number }>()

function remember(token: string, entry: { secret: string, claims: AccessClaims, expiresAtMs: number }): void {
  // Oldest first out (a Map keeps insertion order).
  if (verified.size >= REMEMBERED_TOKENS) verified.delete(verified.keys().next().value!)
  verified.set(token, entry)
}

/** The claims of a valid, unexpired access token, or undefined. */
export async function verifyAccessToken(token: string, secret: string, now = Date.now()): Promise<AccessClaims | undefined> {
  const known = verified.get(token)
  if (known && known.secret === secret) {
    if (known.expiresAtMs > now) return known.claims
    verified.delete(token)
    return undefined
  }
  try {
    const { payload } = await jwtVerify(token, accessKey(secret), { issuer: 'reelwise', audience: 'reelwise', algorithms: ['HS256'], currentDate: new Date(now) })
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') return undefined
    const claims = { userId: payload.sub, sessionId: payload.sid }
    remember(token, { secret, claims, expiresAtMs: payload.exp * 1000 })
    return claims
  }
  catch {
    return undefined
  }
}

/** A random opaque token, and the SHA-256 hash that is all the database keeps of it. */
export function newOpaqueToken(): { token: string, hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashOpaqueToken(token) }
}

export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
