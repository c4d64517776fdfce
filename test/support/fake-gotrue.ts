// A loopback stand-in for Supabase Auth (GoTrue), speaking the endpoints Reelwise uses with their real shapes:
// /auth/v1/signup, /token?grant_type=password, /otp, /verify, and the JWKS. It signs real JWTs (ES256, or HS256
// with a shared secret) and fails the way GoTrue does: 400 invalid_credentials, 422 user_already_exists, 401 without apikey.
import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'

interface FakeUser { id: string, email: string, password?: string, name?: string }

export interface FakeGoTrue {
  url: string
  anonKey: string
  jwtSecret?: string
  /** The last magic link e-mailed to `email`. */
  lastMagicLink: (email: string) => string | undefined
  /** Signs a token for any claims, with this project's key or another: for forged, expired and foreign tokens. */
  sign: (claims: Record<string, unknown>, options?: { foreignKey?: boolean, expiresInSeconds?: number }) => Promise<string>
  /** When true, sign-up answers like a project that confirms e-mail addresses (no session). */
  confirmEmails: boolean
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
    url: '', anonKey, jwtSecret, confirmEmails: false,
    lastMagicLink: email => links.get(email),
    async sign(claims, { foreignKey = false, expiresInSeconds = 3600 } = {}) {
      const now = Math.floor(Date.now() / 1000)
      const jwt = new SignJWT({ aud: 'authenticated', role: 'authenticated', iss: `${url}/auth/v1`, iat: now, exp: now + expiresInSeconds, session_id: randomUUID(), ...claims })
      if (jwtSecret && !foreignKey) return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(jwtSecret))
      return jwt.setProtectedHeader({ alg: 'ES256', kid: 'fake-key-1', typ: 'JWT' }).sign(foreignKey ? foreign.privateKey : privateKey)
    },
    close: () => new Promise(resolve => server.close(() => resolve())),
  }

  async function session(user: FakeUser) {
    const accessToken = await fake.sign({ sub: user.id, email: user.email, user_metadata: { name: user.name } })
    return { access_token: accessToken, token_type: 'bearer', expires_in: 3600, expires_at: Math.floor(Date.now() / 1000) + 3600, refresh_token: randomBytes(12).toString('hex'), user: { id: user.id, email: user.email, aud: 'authenticated', user_metadata: { name: user.name } } }
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
        user = { id: randomUUID(), email: pending.email }
        users.set(user.id, user)
      }
      const tokens = await session(user)
      const fragment = new URLSearchParams({ access_token: tokens.access_token, expires_in: '3600', refresh_token: tokens.refresh_token, token_type: 'bearer', type: 'magiclink' })
      return reply(303, {}, { location: `${pending.redirectTo}#${fragment}` })
    }
    if (request.headers.apikey !== anonKey) return reply(401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' })
    const body = await readJson(request)
    if (path === '/auth/v1/signup' && request.method === 'POST') {
      const email = String(body.email).toLowerCase()
      if ([...users.values()].some(user => user.email === email)) return reply(422, { code: 422, error_code: 'user_already_exists', msg: 'User already registered' })
      const user: FakeUser = { id: randomUUID(), email, password: String(body.password), name: (body.data as { name?: string } | undefined)?.name }
      users.set(user.id, user)
      if (fake.confirmEmails) return reply(200, { id: user.id, email, aud: 'authenticated', confirmation_sent_at: new Date().toISOString() })
      return reply(200, await session(user))
    }
    if (path === '/auth/v1/token' && requestUrl.searchParams.get('grant_type') === 'password') {
      const user = [...users.values()].find(candidate => candidate.email === String(body.email).toLowerCase())
      if (!user || user.password !== body.password) return reply(400, { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' })
      return reply(200, await session(user))
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
