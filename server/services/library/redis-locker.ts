// The tus upload lock across web instances (@tus/server ships only an in-memory one). A lock is a Redis key set with
// NX and a TTL, holding a random token: only its holder's token can renew or release it, and a crashed holder's lock
// lapses within the TTL. A request that wants a held lock asks the holder, over pub/sub, to let go (tus's
// requestRelease: the holder ends its request), then retries until the lock is free, it gives up, or it times out.
import { randomUUID } from 'node:crypto'
import { ERRORS } from '@tus/utils'
import type { Lock, Locker, RequestRelease } from '@tus/utils'
import type { Redis } from 'ioredis'

export interface RedisLockerOptions {
  /** How long a lock lives without renewal; the holder renews it every third of that. */
  ttlMs?: number
  /** How long a request waits for a held lock before it fails (tus's default is 30 s). */
  acquireTimeoutMs?: number
  /** Pause between attempts while waiting. */
  retryMs?: number
  prefix?: string
}

// Renew or delete only while the key still holds our token: a lapsed lock taken by someone else is left alone.
const renewScript = 'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end'
const releaseScript = 'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end'

export class RedisLocker implements Locker {
  readonly ttlMs: number
  readonly acquireTimeoutMs: number
  readonly retryMs: number
  readonly prefix: string
  /** Requests holding a lock in this process, by upload id: a release request from elsewhere reaches them here. */
  readonly holders = new Map<string, RequestRelease>()
  private subscriber: Redis | undefined
  private subscribed: Promise<unknown> | undefined

  constructor(readonly redis: Redis, options: RedisLockerOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 30_000
    this.retryMs = options.retryMs ?? 50
    this.prefix = options.prefix ?? 'reelwise:tus:lock:'
  }

  newLock(id: string): Lock {
    return new RedisLock(this, id)
  }

  key(id: string): string {
    return `${this.prefix}${id}`
  }

  releaseChannel(id: string): string {
    return `${this.prefix}release:${id}`
  }

  /** Listens for release requests once per process, on a connection of its own (a subscribed connection cannot send commands). */
  listen(): Promise<unknown> {
    this.subscribed ??= (async () => {
      const name = this.redis.options.connectionName
      this.subscriber = this.redis.duplicate(name ? { connectionName: `${name}:release` } : {})
      this.subscriber.on('pmessage', (_pattern: string, channel: string) => {
        const id = channel.slice(`${this.prefix}release:`.length)
        void Promise.resolve(this.holders.get(id)?.()).catch(() => {})
      })
      await this.subscriber.psubscribe(`${this.prefix}release:*`)
    })()
    return this.subscribed
  }

  async close(): Promise<void> {
    await this.subscriber?.quit().catch(() => {})
  }
}

class RedisLock implements Lock {
  private token = randomUUID()
  private renewal: NodeJS.Timeout | undefined

  constructor(private readonly locker: RedisLocker, private readonly id: string) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { redis } = this.locker
    await this.locker.listen()
    const key = this.locker.key(this.id)
    const deadline = Date.now() + this.locker.acquireTimeoutMs
    let asked = false
    while (!signal.aborted && Date.now() < deadline) {
      if (await redis.set(key, this.token, 'PX', this.locker.ttlMs, 'NX') === 'OK') {
        this.locker.holders.set(this.id, requestRelease)
        // Renewed while held, so a long PATCH keeps its lock and a dead process's lapses.
        this.renewal = setInterval(() => {
          void redis.eval(renewScript, 1, key, this.token, String(this.locker.ttlMs)).catch(() => {})
        }, Math.max(1000, Math.floor(this.locker.ttlMs / 3)))
        this.renewal.unref()
        return
      }
      if (!asked) {
        // Once: the holder ends its request, which releases the lock.
        await redis.publish(this.locker.releaseChannel(this.id), this.token)
        asked = true
      }
      await new Promise(resolve => setTimeout(resolve, this.locker.retryMs))
    }
    throw ERRORS.ERR_LOCK_TIMEOUT
  }

  async unlock(): Promise<void> {
    clearInterval(this.renewal)
    if (this.locker.holders.get(this.id) !== undefined) this.locker.holders.delete(this.id)
    await this.locker.redis.eval(releaseScript, 1, this.locker.key(this.id), this.token)
  }
}
