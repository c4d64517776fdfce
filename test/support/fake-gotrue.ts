// A loopback stand-in for Supabase Auth (GoTrue), speaking the endpoints Reelwise uses with their real shapes:
// /auth/v1/signup, /token?grant_type=password|refresh_token, /user, /otp, /verify, and the JWKS. It signs real JWTs
// (ES256, or HS256 with a shared secret) and fails the way GoTrue does: 400 invalid_credentials, 400 email_not_confirmed
// (when the project confirms e-mail addresses), 400 refresh_token_not_found / refresh_token_already_used, 403 bad_jwt,
// 422 user_already_exists, 429 over_request_rate_limit, 401 without apikey.
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose'

interface FakeUser { id: string, email: string, password?: string, name?: string, emailConfirmedAt: string | null }

export interface FakeGoTrue {
  url: string
  anonKey: string
  jwtSecret?: string
  /** The last magic link e-mailed to `email`. */
  lastMagicLink: (email: string) => string | undefined
  /** Signs a token for any claims, with this project's key or another: for forged, expired and foreign tokens. */
  sign: (claims: Record<string, unknown>, options?: { foreignKey?: boolean, expiresInSeconds?: number }) => Promise<string>
  /** When true, sign-up answers like a project that confirms e-mail addresses (no session, address unconfirmed). */
  confirmEmails: boolean
  /** GoTrue's GOTRUE_MAILER_ALLOW_UNVERIFIED_EMAIL_SIGN_INS: password sign-in works before the address is confirmed. */
  allowUnverifiedEmailSignIns: boolean
  /** Requests GoTrue still accepts before answering 429 over_request_rate_limit; undefined means no limit. */
  requestsLeft: number | undefined
  /** What clicking the confirmation link in the sign-up e-mail does. */
  confirmEmail: (email: string) => void
  /** A password grant straight against GoTrue, as supabase-js in a browser would make it. */
  passwordGrant: (email: string, password: string) => Promise<{ status: number, body: Record<string, any> }>
  close: () => Promise<void>
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}
}

export async function startFakeGoTrue({ hs256 = false } = {}): Promise<FakeGoTrue> {
  const anonKey = `anon-${randomBytes(8).toString('hex')}`
  const jwtSecret = hs256 ? randomBytes(32).toString('base64') : undefined
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const foreign = await generateKeyPair('ES256')
  const jwk: JWK = { ...await exportJWK(publicKey), kid: 'fake-key-1', alg: 'ES256', use: 'sig' }
  const users = new Map<string, FakeUser>()
  const links = new Map<string, string>()
  const pendingLinks = new Map<string, { email: string, redirectTo: string }>()
  let url = ''

  const fake: FakeGoTrue = {
    url: '', anonKey, jwtSecret, confirmEmails: false, allowUnverifiedEmailSignIns: false, requestsLeft: undefined,
    lastMagicLink: email => links.get(email),
    confirmEmail(email) {
      const user = [...users.values()].find(candidate => candidate.email === email.toLowerCase())
      if (user) user.emailConfirmedAt ??= new Date().toISOString()
    },
    async passwordGrant(email, password) {
      const response = await fetch(`${url}/auth/v1/token?grant_type=password`, { method: 'POST', headers: { 'apikey': anonKey, 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
      return { status: response.status, body: await response.json() as Record<string, any> }
    },
    async sign(claims, { foreignKey = false, expiresInSeconds = 3600 } = {}) {
      const now = Math.floor(Date.now() / 1000)
      const jwt = new SignJWT({ aud: 'authenticated', role: 'authenticated', iss: `${url}/auth/v1`, iat: now, exp: now + expiresInSeconds, session_id: randomUUID(), ...claims })
      if (jwtSecret && !foreignKey) return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(jwtSecret))
      return jwt.setProtectedHeader({ alg: 'ES256', kid: 'fake-key-1', typ: 'JWT' }).sign(foreignKey ? foreign.privateKey : privateKey)
    },
    close: () => new Promise(resolve => server.close(() => resolve())),
  }

  // Refresh tokens work once; a used one answers refresh_token_already_used, as GoTrue's does outside its reuse interval.
  const refreshTokens = new Map<string, { userId: string, used: boolean }>()

  function userJson(user: FakeUser) {
    return {
      id: user.id, aud: 'authenticated', role: 'authenticated', email: user.email,
      email_confirmed_at: user.emailConfirmedAt, confirmed_at: user.emailConfirmedAt,
      app_metadata: { provider: 'email', providers: ['email'] },
      // Users can write their own user_metadata (supabase.auth.updateUser), so nothing in it is proof of anything.
      user_metadata: { name: user.name, email: user.email, email_verified: user.emailConfirmedAt !== null, sub: user.id },
      is_anonymous: false,
    }
  }

  async function session(user: FakeUser) {
    const accessToken = await fake.sign({ sub: user.id, email: user.email, phone: '', app_metadata: { provider: 'email', providers: ['email'] }, user_metadata: { name: user.name, email_verified: user.emailConfirmedAt !== null }, aal: 'aal1', is_anonymous: false })
    const refreshToken = randomBytes(12).toString('hex')
    refreshTokens.set(refreshToken, { userId: user.id, used: false })
    return { access_token: accessToken, token_type: 'bearer', expires_in: 3600, expires_at: Math.floor(Date.now() / 1000) + 3600, refresh_token: refreshToken, user: userJson(user) }
  }

  async function userOfToken(token: string): Promise<FakeUser | undefined> {
    try {
      const { payload } = jwtSecret
        ? await jwtVerify(token, new TextEncoder().encode(jwtSecret), { issuer: `${url}/auth/v1`, audience: 'authenticated' })
        : await jwtVerify(token, publicKey, { issuer: `${url}/auth/v1`, audience: 'authenticated' })
      return typeof payload.sub === 'string' ? users.get(payload.sub) : undefined
    }
    catch {
      return undefined
    }
  }

  const server: Server = createServer(async (request, response) => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers })
      response.end(JSON.stringify(body))
    }
    const requestUrl = new URL(request.url ?? '/', url)
    const path = requestUrl.pathname
    if (path === '/auth/v1/.well-known/jwks.json') return reply(200, { keys: [jwk] })
    if (path === '/auth/v1/verify') {
      const pending = pendingLinks.get(requestUrl.searchParams.get('token') ?? '')
      if (!pending) return reply(303, {}, { location: `${requestUrl.searchParams.get('redirect_to')}#error=access_denied&error_description=Email+link+is+invalid+or+has+expired` })
      pendingLinks.delete(requestUrl.searchParams.get('token')!)
      let user = [...users.values()].find(candidate => candidate.email === pending.email)
      if (!user) {
        user = { id: randomUUID(), email: pending.email, emailConfirmedAt: null }
        users.set(user.id, user)
      }
      // Following the link proves the address.
      user.emailConfirmedAt ??= new Date().toISOString()
      const tokens = await session(user)
      const fragment = new URLSearchParams({ access_token: tokens.access_token, expires_in: '3600', refresh_token: tokens.refresh_token, token_type: 'bearer', type: 'magiclink' })
      return reply(303, {}, { location: `${pending.redirectTo}#${fragment}` })
    }
    if (request.headers.apikey !== anonKey) return reply(401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' })
    if (fake.requestsLeft !== undefined) {
      if (fake.requestsLeft <= 0) return reply(429, { code: 429, error_code: 'over_request_rate_limit', msg: 'Request rate limit reached' })
      fake.requestsLeft--
    }
    if (path === '/auth/v1/user' && request.method === 'GET') {
      const bearer = request.headers.authorization?.startsWith('Bearer ') ? request.headers.authorization.slice(7) : ''
      const user = await userOfToken(bearer)
      if (!user) return reply(403, { code: 403, error_code: 'bad_jwt', msg: 'invalid JWT: unable to parse or verify signature' })
      return reply(200, userJson(user))
    }
    const body = await readJson(request)
    if (path === '/auth/v1/signup' && request.method === 'POST') {
      const email = String(body.email).toLowerCase()
      if ([...users.values()].some(user => user.email === email)) return reply(422, { code: 422, error_code: 'user_already_exists', msg: 'User already registered' })
      // A project that does not confirm addresses marks them confirmed at once (GoTrue's autoconfirm).
      const user: FakeUser = { id: randomUUID(), email, password: String(body.password), name: (body.data as { name?: string } | undefined)?.name, emailConfirmedAt: fake.confirmEmails ? null : new Date().toISOString() }
      users.set(user.id, user)
      if (fake.confirmEmails) return reply(200, { ...userJson(user), confirmation_sent_at: new Date().toISOString() })
      return reply(200, await session(user))
    }
    if (path === '/auth/v1/token' && requestUrl.searchParams.get('grant_type') === 'password') {
      const user = [...users.values()].find(candidate => candidate.email === String(body.email).toLowerCase())
      if (!user || user.password !== body.password) return reply(400, { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' })
      if (!user.emailConfirmedAt && fake.confirmEmails && !fake.allowUnverifiedEmailSignIns) return reply(400, { code: 400, error_code: 'email_not_confirmed', msg: 'Email not confirmed' })
      return reply(200, await session(user))
    }
    if (path === '/auth/v1/token' && requestUrl.searchParams.get('grant_type') === 'refresh_token') {
      const stored = refreshTokens.get(String(body.refresh_token ?? ''))
      if (!stored) return reply(400, { code: 400, error_code: 'refresh_token_not_found', msg: 'Invalid Refresh Token: Refresh Token Not Found' })
      if (stored.used) return reply(400, { code: 400, error_code: 'refresh_token_already_used', msg: 'Invalid Refresh Token: Already Used' })
      stored.used = true
      return reply(200, await session(users.get(stored.userId)!))
    }
    if (path === '/auth/v1/otp' && request.method === 'POST') {
      const token = randomBytes(16).toString('hex')
      const redirectTo = requestUrl.searchParams.get('redirect_to') ?? ''
      pendingLinks.set(token, { email: String(body.email).toLowerCase(), redirectTo })
      links.set(String(body.email).toLowerCase(), `${url}/auth/v1/verify?token=${token}&type=magiclink&redirect_to=${encodeURIComponent(redirectTo)}`)
      return reply(200, {})
    }
    reply(404, { code: 404, msg: 'Not found' })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  fake.url = url
  return fake
}
