import { describe, expect, it } from 'vitest'
import { ACCESS_TOKEN_SECONDS, signAccessToken, verifyAccessToken } from '../../server/services/auth/tokens'

const secret = 'a-secret-key-for-this-test-only-0123456789'
const claims = { userId: '019a0000-0000-7000-8000-000000000001', sessionId: '019a0000-0000-7000-8000-000000000002' }

// verifyAccessToken remembers the tokens it has verified; what it remembers must never outlive what it checked.
describe('access tokens', () => {
  it('verifies a token, again and again, with the same answer', async () => {
    const token = await signAccessToken(claims, secret)
    expect(await verifyAccessToken(token, secret)).toEqual(claims)
    expect(await verifyAccessToken(token, secret)).toEqual(claims)
  })

  it('refuses a remembered token under another secret, and a tampered one', async () => {
    const token = await signAccessToken(claims, secret)
    expect(await verifyAccessToken(token, secret)).toEqual(claims)
    expect(await verifyAccessToken(token, `${secret}-rotated`)).toBeUndefined()
    const [header, payload, signature] = token.split('.')
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url')
    expect(await verifyAccessToken(`${header}.${forged}.${signature}`, secret)).toBeUndefined()
  })

  it('refuses a remembered token once it has expired', async () => {
    const issuedAt = Date.now()
    const token = await signAccessToken(claims, secret, issuedAt)
    expect(await verifyAccessToken(token, secret, issuedAt + 1000)).toEqual(claims)
    expect(await verifyAccessToken(token, secret, issuedAt + (ACCESS_TOKEN_SECONDS + 1) * 1000)).toBeUndefined()
  })
})
