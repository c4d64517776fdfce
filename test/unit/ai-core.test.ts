// Pure parts of the AI layer: secrets at rest, the cache key's normalisation, prices from the bundled list.
import { describe, expect, it } from 'vitest'
import { cacheKey, normaliseInput } from '../../server/services/ai/cache'
import { estimateCost } from '../../server/services/ai/ledger'
import { decryptSecret, encryptSecret } from '../../server/services/security/secrets'
import { describeProvenance } from '#shared/ai'

const key = Buffer.alloc(32, 1).toString('base64')

describe('secrets at rest', () => {
  it('round-trips, never repeats a ciphertext, and names a changed key without showing the value', () => {
    const one = encryptSecret('sk-live-123', key)
    const two = encryptSecret('sk-live-123', key)
    expect(one).not.toBe(two)
    expect(one).not.toContain('sk-live')
    expect(decryptSecret(one, key)).toBe('sk-live-123')
    expect(decryptSecret(one, Buffer.alloc(32, 1).toString('hex'))).toBe('sk-live-123')
    expect(() => decryptSecret(one, Buffer.alloc(32, 2).toString('base64'))).toThrow(/ENCRYPTION_KEY changed/)
    const tampered = one.slice(0, -2) + (one.endsWith('A') ? 'BB' : 'AA')
    expect(() => decryptSecret(tampered, key)).toThrow(/could not be decrypted/)
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
