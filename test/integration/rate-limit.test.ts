import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { limitPasswordAttempts, limits, RateLimits, type Limit, type RateLimitStore } from '../../server/services/security/rate-limit'
import { unauthorized } from '../../server/services/errors'

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const run = randomBytes(4).toString('hex')
const limit: Limit = { name: `test-${run}`, max: 3, windowSeconds: 60, message: 'Slow down; try again in {minutes} minutes.' }

// Two app instances are two stores on one Redis, or two pools on one database.
const stores: { name: string, open: () => RateLimitStore, close: (store: RateLimitStore) => Promise<unknown>, keys: (store: RateLimitStore) => Promise<string[]> }[] = [
  {
    name: 'Redis',
    open: () => ({ redis: new Redis(redisUrl) }),
    close: store => (store as { redis: Redis }).redis.quit(),
    keys: store => (store as { redis: Redis }).redis.keys(`reelwise:rl:*${run}*`),
  },
  {
    name: `the database (${inject('databaseKind')})`,
    open: () => ({ pool: new pg.Pool({ connectionString: inject('databaseUrl'), max: 3 }) }),
    close: store => (store as { pool: pg.Pool }).pool.end(),
    keys: async store => (await (store as { pool: pg.Pool }).pool.query<{ key: string }>(`SELECT key FROM "RateLimit" WHERE key LIKE $1`, [`%${run}%`])).rows.map(row => row.key),
  },
]

describe.each(stores)('rate limits in $name', ({ open, close, keys }) => {
  const first = open()
  const second = open()
  afterAll(async () => {
    await Promise.all([close(first), close(second)])
  })

  it('shares one count between instances, and answers 429 with the wait', async () => {
    const [one, two] = [new RateLimits(first), new RateLimits(second)]
    await one.consume(limit, 'ana@example.com')
    await two.consume(limit, 'ana@example.com')
    await one.consume(limit, 'ana@example.com')
    await expect(two.consume(limit, 'ana@example.com')).rejects.toMatchObject({ statusCode: 429, message: 'Slow down; try again in 1 minutes.', data: { retryAfterSeconds: expect.any(Number) } })
    await expect(one.assertUnder(limit, 'ana@example.com')).rejects.toMatchObject({ statusCode: 429 })
    await expect(two.assertUnder(limit, 'ben@example.com')).resolves.toBeUndefined()
  })

  it('counts every one of many parallel events: exactly the limit passes', async () => {
    const [one, two] = [new RateLimits(first), new RateLimits(second)]
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, index) => (index % 2 ? one : two).consume(limit, 'cleo@example.com')))
    expect(results.filter(result => result.status === 'fulfilled')).toHaveLength(limit.max)
  })

  it('checks at most 10 passwords when 60 wrong ones for one account arrive at once', async () => {
    const [one, two] = [new RateLimits(first), new RateLimits(second)]
    const account = `dora-${run}@example.com`
    let verified = 0
    const wrongPassword = async () => {
      verified++
      // The time argon2 takes, so the attempts overlap as they do on a server.
      await new Promise(resolve => setTimeout(resolve, 20))
      throw unauthorized('Wrong e-mail or password.')
    }
    const results = await Promise.allSettled(Array.from({ length: 60 }, (_, index) => limitPasswordAttempts(index % 2 ? one : two, account, wrongPassword)))
    expect(verified).toBe(limits.signInAccount.max)
    const statuses = results.map(result => result.status === 'rejected' ? (result.reason as { statusCode: number }).statusCode : 200)
    expect(statuses.filter(status => status === 401)).toHaveLength(10)
    expect(statuses.filter(status => status === 429)).toHaveLength(50)
    // Locked: even the right password is not checked.
    let checked = false
    await expect(limitPasswordAttempts(one, account, async () => {
      checked = true
    })).rejects.toMatchObject({ statusCode: 429 })
    expect(checked).toBe(false)
  })

  it('does not count a successful sign-in against the account', async () => {
    const rateLimits = new RateLimits(first)
    const account = `eve-${run}@example.com`
    for (let attempt = 0; attempt < 15; attempt++) await limitPasswordAttempts(rateLimits, account, async () => 'signed in')
    await expect(rateLimits.assertUnder(limits.signInAccount, account)).resolves.toBeUndefined()
  })

  it('keeps no e-mail or address in its keys', async () => {
    const stored = await keys(first)
    expect(stored.length).toBeGreaterThan(0)
    expect(stored.join(' ')).not.toMatch(/ana|cleo|example/)
  })

  it('opens again when the window has passed', async () => {
    const brief: Limit = { ...limit, name: `brief-${run}`, max: 1, windowSeconds: 1 }
    const rateLimits = new RateLimits(first)
    await rateLimits.consume(brief, '10.0.0.1')
    await expect(rateLimits.consume(brief, '10.0.0.1')).rejects.toMatchObject({ statusCode: 429 })
    await expect.poll(() => rateLimits.consume(brief, '10.0.0.1').then(() => 'open', () => 'closed'), { timeout: 5000, interval: 250 }).toBe('open')
  })
})
