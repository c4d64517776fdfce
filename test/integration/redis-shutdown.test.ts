// Shutdown with REDIS_URL: the close hook closes every Redis connection the app opened (rate limits, the upload lock
// and its release listener, the upload-info cache, the job stream slots) with a QUIT, before Nitro exits. A process that exits with a
// connection open loses it too, so CLIENT LIST after the exit proves nothing: the app talks to Redis through a loopback
// proxy that keeps what each connection sent, and each one must end with QUIT.
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { createPrisma } from '../support/scratch'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy'
import { TusTestClient } from '../support/tus'

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** The name a connection gave itself (CLIENT SETNAME, as RESP), or '' when it gave none. */
function nameOf(sent: string): string {
  return /\r\n\$7\r\nsetname\r\n\$\d+\r\n([^\r]*)\r\n/i.exec(sent)?.[1] ?? ''
}

describe(`shutdown with Redis, on ${inject('databaseKind')}`, () => {
  let dir: string
  let app: RunningApp | undefined
  let proxy: TcpProxy
  let redis: Redis
  let db: PrismaClient

  beforeAll(async () => {
    db = createPrisma(inject('databaseUrl'))
    dir = await mkdtemp(join(tmpdir(), 'reelwise-redis-shutdown-'))
    const { hostname: host, port } = new URL(redisUrl)
    proxy = await startTcpProxy({ host, port: Number(port || 6379) })
    redis = new Redis(redisUrl)
  })
  afterAll(async () => {
    await app?.stop()
    await redis.quit()
    await db?.$disconnect()
    await proxy?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('closes its Redis connections (QUIT) in the close hook and exits promptly on SIGTERM', async () => {
    app = await startBuiltApp({
      APP_ROLE: 'web',
      DATA_DIR: join(dir, 'app'),
      DATABASE_URL: inject('databaseUrl'),
      REDIS_URL: proxy.through(redisUrl),
    })
    const pid = app.child.pid!
    const api = new ApiClient(app.url)
    // Sign-up counts against a rate limit (in Redis); creating and canceling an upload take the Redis lock. Nothing
    // finishes, so no analysis is queued for other files' workers to find.
    expect((await api.signUp({ name: 'Shut', email: `shut-${randomUUID()}@redis.test` })).status).toBe(201)
    const workspaceId = (await api.session()).workspaces[0]!.id
    const created = await new TusTestClient(api, workspaceId).create(1000, { filename: 'clip.mp4' })
    expect(created.status, created.body).toBe(201)
    const canceled = await fetch(new URL(created.headers.get('location')!, app.url), { method: 'DELETE', headers: { 'tus-resumable': '1.0.0', 'authorization': `Bearer ${api.token}` } })
    expect(canceled.status).toBe(204)
    // A job progress stream takes a slot in Redis (its connection is made at the first stream), held until shutdown.
    const jobId = randomUUID()
    await db.jobRun.create({ data: { id: jobId, queue: 'test.redis_shutdown', workspaceId } })
    const watching = new AbortController()
    const stream = await fetch(`${app.url}/api/workspaces/${workspaceId}/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${api.token}` }, signal: watching.signal })
    expect(stream.status).toBe(200)
    const userId = (await api.session()).user.id
    expect(await redis.zcard(`reelwise:job-streams:${userId}`)).toBe(1)

    // Each connection names what it is for, and this host and process, in CLIENT LIST.
    const list = await redis.call('CLIENT', 'LIST') as string
    const named = list.split('\n').map(line => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '').filter(name => name.includes(`:${hostname()}:${pid}`)).sort()
    expect(named).toEqual([
      `reelwise:job-streams:${hostname()}:${pid}`,
      `reelwise:rate-limits:${hostname()}:${pid}`,
      `reelwise:uploads:${hostname()}:${pid}`,
      `reelwise:uploads:${hostname()}:${pid}:release`,
    ])

    const exited = once(app.child, 'exit') as Promise<[number | null, string | null]>
    process.kill(pid, 'SIGTERM')
    const outcome = await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 15_000, 'still running'))])
    expect(outcome, `the app did not exit within 15 s of SIGTERM:\n${app.output().slice(-2000)}`).toEqual([0, null])
    // The stream was ended at SIGTERM, with a hint to reconnect (to an instance that is not stopping), rather than
    // holding the shutdown for Nitro's 30 s drain.
    const told = await Promise.race([stream.text(), new Promise<string>(resolve => setTimeout(resolve, 2000, '(still open)'))])
    watching.abort()
    expect(told).toContain('event: reconnect')
    // The stream's slot was given back at shutdown, not left to its lease.
    expect(await redis.zcard(`reelwise:job-streams:${userId}`)).toBe(0)

    const connections = proxy.transcripts().map(({ sent, closed }) => ({ name: nameOf(sent), closed, quit: /\*1\r\n\$4\r\nquit\r\n$/i.test(sent) }))
    expect(connections.map(connection => connection.name).sort()).toEqual(named)
    expect(connections.filter(connection => !connection.quit || !connection.closed).map(connection => connection.name)).toEqual([])
  }, 120_000)
})
