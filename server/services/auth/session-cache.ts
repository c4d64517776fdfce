// The sessions this process has checked, so the session check on every request need not run the session query
// (bench/auth.ts: that query is what made the session route slower than a bare route).
// Signing out must still end a session at once on every instance. Triggers (migration 20261130124000_session_cache_notify)
// NOTIFY "reelwise_session_cache" at commit when a session ends or what its view shows changes, and each process
// LISTENs on one connection of its own. A notification arrives a little after the commit that sent it (measured:
// sometimes tens of milliseconds later, after the revoking request had answered), so before answering from memory a
// request waits for a fence: a notification this process sends itself. Notifications reach a listener in commit order,
// so once the fence is heard every change committed before the request arrived has been heard too. Requests that
// arrive while a fence is on its way share the next one.
// Nothing is read or kept while the connection is not proven to hear other connections (at connect, a probe sent
// through the app's pool), and the cache starts empty each time it is back, so a missed notification cannot keep a
// revoked session alive.
// On the embedded PGlite there is no listening connection to have (one session serves them all): the process that
// runs it reads the notifications from the answers as they pass (server/services/db/embedded.ts), before the
// connection that committed hears back, so no fence is needed there.
import { randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import type { EmbeddedDatabase } from '../db/embedded'
import type { LoadedSession, SessionView } from './sessions'

export const SESSION_CACHE_CHANNEL = 'reelwise_session_cache'
const MAX_ENTRIES = 10_000
// Belt and braces: a change this process missed anyway is seen within this.
const TTL_MS = 30_000
// A probe or a fence not heard within this means the connection cannot be trusted.
const NOTIFY_TIMEOUT_MS = 2000
const RETRY_FIRST_MS = 1000
const RETRY_MAX_MS = 30_000

interface Entry { userId: string, view: SessionView, expiresAtMs: number }

export type SessionCacheOptions = {
  url: string
  /** Sends a notification on another connection (the app's pool), to prove the listener hears other connections. */
  notify: (channel: string, payload: string) => Promise<unknown>
  log?: (message: string) => void
} | {
  /** The embedded database this process runs, started with SESSION_CACHE_CHANNEL among its channels. */
  embedded: Pick<EmbeddedDatabase, 'listen'>
  log?: (message: string) => void
}

export class SessionCache {
  // Oldest use first (a Map keeps insertion order), so the first key is the one to evict.
  private readonly entries = new Map<string, Entry>()
  // Moves on every invalidation, so a lookup that raced one does not keep what it read before it.
  private generation = 0
  // Fences go to a channel only this process listens on.
  private readonly fenceChannel = `reelwise_session_fence_${randomBytes(6).toString('hex')}`
  private fencesSent = 0
  private fenceInFlight: Promise<void> | undefined
  private nextFence: Promise<void> | undefined
  private readonly awaited = new Map<string, () => void>()
  private client: pg.Client | undefined
  private listening = false
  private stopped = false
  private retryMs = RETRY_FIRST_MS
  private retryTimer: NodeJS.Timeout | undefined
  private stopListening: (() => void) | undefined

  constructor(private readonly options: SessionCacheOptions) {}

  /** Whether lookups may be answered from memory now. */
  get live(): boolean {
    return this.listening
  }

  /** The view of a live session: from memory when it can be trusted, else from `load` (kept when nothing changed meanwhile). */
  async lookup(sessionId: string, userId: string, load: () => Promise<LoadedSession | undefined>): Promise<SessionView | undefined> {
    if (this.listening && this.entries.has(sessionId)) {
      const fenced = 'embedded' in this.options || await this.fence().then(() => true, () => false)
      const entry = fenced ? this.entries.get(sessionId) : undefined
      if (entry && entry.userId === userId && entry.expiresAtMs > Date.now()) {
        this.entries.delete(sessionId)
        this.entries.set(sessionId, entry)
        return entry.view
      }
    }
    const generation = this.generation
    const loaded = await load()
    if (loaded && this.listening && generation === this.generation) {
      this.entries.delete(sessionId)
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
      this.entries.set(sessionId, { userId, view: loaded.view, expiresAtMs: Math.min(loaded.expiresAt.getTime(), Date.now() + TTL_MS) })
    }
    return loaded?.view
  }

  start(): void {
    if ('embedded' in this.options) this.listenEmbedded(this.options.embedded)
    else void this.connect()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.stopListening?.()
    clearTimeout(this.retryTimer)
    const client = this.client
    this.disconnect()
    await client?.end().catch(() => {})
  }

  private forget(matches: (entry: Entry) => boolean): void {
    this.generation++
    for (const [sessionId, entry] of this.entries) {
      if (matches(entry)) this.entries.delete(sessionId)
    }
  }

  private heard(channel: string, payload: string): void {
    const waiter = this.awaited.get(`${channel}:${payload}`)
    if (waiter) return waiter()
    // A fence of ours that timed out, or another process's probe.
    if (channel !== SESSION_CACHE_CHANNEL || payload.startsWith('probe:')) return
    const [kind, id] = payload.split(':')
    if (kind === 'user') this.forget(entry => entry.userId === id)
    else if (kind === 'workspace') this.forget(entry => entry.view.workspaces.some(workspace => workspace.id === id))
    else this.forget(() => true)
  }

  // Resolves when `payload` is heard on `channel` after `send` sent it; rejects after NOTIFY_TIMEOUT_MS.
  private hear(channel: string, payload: string, send: () => Promise<unknown>): Promise<void> {
    const key = `${channel}:${payload}`
    return new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer)
        this.awaited.delete(key)
        if (error) reject(error)
        else resolve()
      }
      const timer = setTimeout(() => settle(new Error(`a notification was not heard within ${NOTIFY_TIMEOUT_MS} ms`)), NOTIFY_TIMEOUT_MS)
      this.awaited.set(key, () => settle())
      send().catch(settle)
    })
  }

  // One fence on its way at a time; callers that come meanwhile share the next, sent when it returns.
  private fence(): Promise<void> {
    if (this.nextFence) return this.nextFence
    const send = (): Promise<void> => {
      this.nextFence = undefined
      const client = this.client
      if (!client || !this.listening) return Promise.reject(new Error('not listening'))
      const payload = String(++this.fencesSent)
      const sent = this.hear(this.fenceChannel, payload, () => client.query('SELECT pg_notify($1, $2)', [this.fenceChannel, payload]))
        .catch((error: Error) => {
          this.lost(client, error)
          throw error
        })
        .finally(() => {
          if (this.fenceInFlight === sent) this.fenceInFlight = undefined
        })
      this.fenceInFlight = sent
      return sent
    }
    if (!this.fenceInFlight) return send()
    this.nextFence = this.fenceInFlight.catch(() => {}).then(send)
    return this.nextFence
  }

  private listenEmbedded(embedded: Pick<EmbeddedDatabase, 'listen'>): void {
    this.listening = true
    this.stopListening = embedded.listen(SESSION_CACHE_CHANNEL, {
      heard: payload => this.heard(SESSION_CACHE_CHANNEL, payload),
      missed: () => this.forget(() => true),
      deaf: () => {
        if (this.listening) this.options.log?.('[auth] session cache off, every request asks the database: the embedded database stopped listening')
        this.disconnect()
      },
    })
    if (this.listening) this.options.log?.('[auth] session cache on: reading revocations from the embedded database')
  }

  private async connect(): Promise<void> {
    const options = this.options
    if (this.stopped || 'embedded' in options) return
    const client = new pg.Client({ connectionString: options.url, application_name: `reelwise-session-cache ${process.pid}`, keepAlive: true })
    this.client = client
    client.on('notification', message => this.heard(message.channel, message.payload ?? ''))
    client.on('error', error => this.lost(client, error))
    client.on('end', () => this.lost(client, new Error('the connection ended')))
    try {
      await client.connect()
      await client.query(`LISTEN ${SESSION_CACHE_CHANNEL}`)
      await client.query(`LISTEN ${this.fenceChannel}`)
      // From another connection: on PGlite behind pglite-socket a notification only reaches the connection that sent it.
      const probe = `probe:${randomUUID()}`
      await this.hear(SESSION_CACHE_CHANNEL, probe, () => options.notify(SESSION_CACHE_CHANNEL, probe))
      if (client !== this.client) return
      // Nothing was kept while not listening, but a lookup that started before may still be loading.
      this.forget(() => true)
      this.listening = true
      this.retryMs = RETRY_FIRST_MS
      this.options.log?.('[auth] session cache on: listening for revocations')
    }
    catch (error) {
      this.lost(client, error as Error)
    }
  }

  private disconnect(): void {
    this.client = undefined
    this.listening = false
    this.forget(() => true)
  }

  private lost(client: pg.Client, error: Error): void {
    if (client !== this.client) return
    const wasOn = this.listening
    this.disconnect()
    client.end().catch(() => {})
    if (this.stopped) return
    if (wasOn || this.retryMs === RETRY_FIRST_MS) this.options.log?.(`[auth] session cache off, every request asks the database: ${error.message}`)
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs).unref()
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS)
  }
}
