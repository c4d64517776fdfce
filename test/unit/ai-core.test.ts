// Pure parts of the AI layer: secrets at rest, the cache key's normalisation, prices from the bundled list.
import { createCipheriv, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { cacheKey, normaliseInput } from '../../server/services/ai/cache'
import { estimateCost } from '../../server/services/ai/ledger'
import { createSecretBox, keyIdOf } from '../../server/services/security/secrets'
import { describeProvenance } from '#shared/ai'

const key = Buffer.alloc(32, 1).toString('base64')

describe('secrets at rest', () => {
  const older = Buffer.alloc(32, 2).toString('base64')

  it('round-trips, never repeats a ciphertext, and names a missing key by its id without showing the value', () => {
    const box = createSecretBox([key])
    const one = box.encrypt('sk-live-123')
    expect(one).not.toBe(box.encrypt('sk-live-123'))
    expect(one).not.toContain('sk-live')
    expect(one.split('.').slice(0, 2)).toEqual(['v2', keyIdOf(key)])
    expect(keyIdOf(key)).toMatch(/^[0-9a-f]{8}$/)
    expect(box.decrypt(one)).toBe('sk-live-123')
    // The same 32 bytes written in hex are the same key.
    expect(createSecretBox([Buffer.alloc(32, 1).toString('hex')]).decrypt(one)).toBe('sk-live-123')
    expect(() => createSecretBox([older]).decrypt(one)).toThrow(new RegExp(`key ${keyIdOf(key)}, which is not in ENCRYPTION_KEYS`))
    const tampered = one.slice(0, -2) + (one.endsWith('A') ? 'BB' : 'AA')
    expect(() => box.decrypt(tampered)).toThrow(/could not be decrypted/)
    for (const bad of [tampered, 'v9.x.y']) {
      try {
        box.decrypt(bad)
      }
      catch (error) {
        expect((error as Error).message).not.toContain(bad.split('.').at(-1))
      }
    }
  })

  it('encrypts under the newest key, reads values under older keys and v1 values, and says which are current', () => {
    const rotated = createSecretBox([key, older])
    const underOld = createSecretBox([older]).encrypt('refresh-abc')
    expect(rotated.decrypt(underOld)).toBe('refresh-abc')
    expect(rotated.isCurrent(underOld)).toBe(false)
    expect(rotated.isCurrent(rotated.encrypt('x'))).toBe(true)
    expect(rotated.currentKeyId).toBe(keyIdOf(key))
    // A v1 value (before key ids) under the older key: found by trying each key.
    const nonce = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(older, 'base64'), nonce)
    const body = Buffer.concat([cipher.update('sk-v1-value', 'utf8'), cipher.final()])
    const v1 = ['v1', ...[nonce, cipher.getAuthTag(), body].map(part => part.toString('base64url'))].join('.')
    expect(rotated.decrypt(v1)).toBe('sk-v1-value')
    expect(rotated.isCurrent(v1)).toBe(false)
    expect(() => createSecretBox([key]).decrypt(v1)).toThrow(/saved before key ids.*could not be decrypted with any key/)
    // The key id is authenticated: relabelling a value to another key fails.
    const relabelled = underOld.replace(keyIdOf(older), keyIdOf(key))
    expect(() => rotated.decrypt(relabelled)).toThrow(/could not be decrypted/)
  })
})

describe('the cache key', () => {
  const parts = { provider: 'openai', model: 'gpt-5-mini', baseUrl: null, promptVersion: 'strategy/1' }
  it('ignores key order, undefined fields and runs of whitespace, and nothing else', () => {
    expect(normaliseInput({ b: [' x  y '], a: { d: undefined, c: 1 } })).toEqual({ a: { c: 1 }, b: ['x y'] })
    const base = cacheKey({ ...parts, input: { topic: 'knife skills', count: 2 } })
    expect(cacheKey({ ...parts, input: { count: 2, topic: ' knife   skills' } })).toBe(base)
    expect(cacheKey({ ...parts, input: { topic: 'knife skills', count: 3 } })).not.toBe(base)
    expect(cacheKey({ ...parts, promptVersion: 'strategy/2', input: { topic: 'knife skills', count: 2 } })).not.toBe(base)
    expect(cacheKey({ ...parts, model: 'gpt-5', input: { topic: 'knife skills', count: 2 } })).not.toBe(base)
    expect(cacheKey({ ...parts, baseUrl: 'http://localhost:11434/v1', input: { topic: 'knife skills', count: 2 } })).not.toBe(base)
  })
})

describe('prices', () => {
  it('prices known models from the bundled list, and counts local and self-hosted work as free', () => {
    const usage = { inputTokens: 10_000, outputTokens: 2_000, cachedTokens: 0 }
    const openai = estimateCost('openai', 'gpt-5-mini', null, usage)
    expect(openai).toBeGreaterThan(0)
    expect(estimateCost('openai', 'gpt-5-mini', null, { ...usage, cachedTokens: 8_000 })).toBeLessThan(openai)
    expect(estimateCost('gemini', 'gemini-3.8-flash', null, usage)).toBeGreaterThan(0)
    expect(estimateCost('openai', 'grok-4.3', 'https://api.x.ai/v1', usage)).toBeGreaterThan(0)
    expect(estimateCost('openai', 'llama3.2', 'http://localhost:11434/v1', usage)).toBe(0)
    expect(estimateCost('local', 'reelwise-templates-1', null, usage)).toBe(0)
    expect(estimateCost('openai', 'a-model-nobody-prices', null, usage)).toBe(0)
  })

  it('names who made an output', () => {
    expect(describeProvenance({ provider: 'openai', model: 'gpt-5-mini', cacheHit: true })).toBe('gpt-5-mini via OpenAI-compatible, from cache')
    expect(describeProvenance({ provider: 'local', model: 'reelwise-templates-1', cacheHit: false })).toMatch(/^Local templates/)
  })
})
