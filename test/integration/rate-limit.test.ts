import { createStorage } from 'unstorage'
import fsDriver from 'unstorage/drivers/fs'
import redisDriver from 'unstorage/drivers/redis'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { assertUnderLimit, consume, type Limit } from '../../server/services/security/rate-limit'

const limit: Limit = { name: 'test', max: 3, windowSeconds: 60, message: 'Slow down; try again in {minutes} minutes.' }
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

describe('rate limits in unstorage', () => {
  const base = `reelwise-test-${Date.now().toString(36)}`
  // Two app instances, each with its own connection to the same Redis.
  const first = createStorage({ driver: redisDriver({ url: redisUrl, base }) })
  const second = createStorage({ driver: redisDriver({ url: redisUrl, base }) })
  afterAll(async () => {
    await first.clear()
    await Promise.all([first.dispose(), second.dispose()])
  })

  it('shares one count between instances through Redis, and answers 429 with the wait', async () => {
    await consume(first, limit, 'ana@example.com')
    await consume(second, limit, 'ana@example.com')
    await consume(first, limit, 'ana@example.com')
    await expect(consume(second, limit, 'ana@example.com')).rejects.toMatchObject({ statusCode: 429, message: 'Slow down; try again in 1 minutes.', data: { retryAfterSeconds: expect.any(Number) } })
    await expect(assertUnderLimit(first, limit, 'ana@example.com')).rejects.toMatchObject({ statusCode: 429 })
    await expect(assertUnderLimit(second, limit, 'ben@example.com')).resolves.toBeUndefined()
  })

  it('keeps no e-mail or address in its keys, and lets Redis expire them', async () => {
    const keys = await first.getKeys()
    expect(keys.length).toBeGreaterThan(0)
    expect(keys.join(' ')).not.toMatch(/ana|example/)
  })

  it('opens again when the window has passed (files when there is no Redis)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reelwise-kv-'))
    const files = createStorage({ driver: fsDriver({ base: dir }) })
    const start = Date.now()
    for (let attempt = 0; attempt < 3; attempt++) await consume(files, limit, '10.0.0.1', start)
    await expect(consume(files, limit, '10.0.0.1', start + 1000)).rejects.toMatchObject({ statusCode: 429 })
    await expect(consume(files, limit, '10.0.0.1', start + 61_000)).resolves.toBeUndefined()
    await rm(dir, { recursive: true, force: true })
  })
})
