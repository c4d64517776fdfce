// pglite-socket serves every connection from PGlite's one session, one protocol message at a time. It keeps a
// transaction's connection in front, but not an extended-protocol exchange: pg sends Parse, Bind, Describe,
// Execute and Sync as separate messages, and another connection's Parse could land between them and take over the
// unnamed statement or portal ("portal \"\" does not exist", or an answer to the wrong statement). This keeps a
// connection in front from its first message of such an exchange until its Sync, and reopens the queue when a query
// fails (the library left it stalled).
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket'

interface QueuedMessage {
  handlerId: number
  message: Uint8Array
  resolve: (bytes: number) => void
  reject: (error: unknown) => void
  onData: (data: Uint8Array) => void
}

// The parts of pglite-socket's QueryQueueManager (private in its types) that this replaces.
interface QueryQueue {
  queue: QueuedMessage[]
  processing: boolean
  lastHandlerId: number | null
  db: {
    isInTransaction: () => boolean
    runExclusive: <T>(work: () => Promise<T>) => Promise<T>
    execProtocolRawStream: (message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }) => Promise<unknown>
  }
  processQueue: () => Promise<void>
  clearTransactionIfNeeded: (handlerId: number) => Promise<void>
}

// Messages that end an exchange, or are one on their own: Sync, a simple Query, Terminate, and the startup
// message (whose first byte is the high byte of its length, 0).
const SYNC_MESSAGE = new Uint8Array(['S'.charCodeAt(0), 0, 0, 0, 4])
const ENDS_EXCHANGE = new Set(['S'.charCodeAt(0), 'Q'.charCodeAt(0), 'X'.charCodeAt(0), 0])

/** What reads PGlite's answers as they pass (server/services/db/backend-stream.ts). */
export interface AnswerWatcher {
  push: (data: Uint8Array) => void
  end: (ok: boolean) => void
}

/**
 * Makes `server` hand PGlite whole extended-protocol exchanges. Call before `server.start()`. `watcher` reads every
 * answer before the connection it is for gets it.
 */
export function keepExchangesTogether(server: PGLiteSocketServer, watcher?: AnswerWatcher): void {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue
  if (typeof queue?.processQueue !== 'function' || !Array.isArray(queue.queue)) {
    throw new Error('@electric-sql/pglite-socket changed its query queue; check server/services/db/socket-queue.ts against it')
  }
  // The connection in the middle of an exchange, whose next message must come next.
  let inExchange: number | null = null

  queue.processQueue = async function processQueue(this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return
    this.processing = true
    try {
      while (this.queue.length > 0) {
        const owner = inExchange ?? (this.db.isInTransaction() ? this.lastHandlerId : null)
        const index = owner === null ? 0 : this.queue.findIndex(item => item.handlerId === owner)
        // The owner's next message has not arrived yet: wait for it (enqueue calls this again).
        if (index === -1) break
        const [item] = this.queue.splice(index, 1) as [QueuedMessage]
        let bytes = 0
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(item.message, {
            onRawData: (data) => {
              bytes += data.length
              watcher?.push(data)
              item.onData(data)
            },
          }))
        }
        catch (error) {
          watcher?.end(false)
          inExchange = null
          item.reject(error)
          continue
        }
        watcher?.end(true)
        inExchange = ENDS_EXCHANGE.has(item.message[0] ?? 0) ? null : item.handlerId
        this.lastHandlerId = item.handlerId
        item.resolve(bytes)
      }
    }
    finally {
      this.processing = false
    }
  }.bind(queue)

  // A connection that closes in the middle of an exchange must not hold the others back.
  const clearTransaction = queue.clearTransactionIfNeeded.bind(queue)
  queue.clearTransactionIfNeeded = async (handlerId: number) => {
    await clearTransaction(handlerId)
    if (inExchange === handlerId) {
      inExchange = null
      // Its Sync never came: send one, so a failed exchange does not leave PGlite skipping the next connection's messages.
      await queue.db.runExclusive(() => queue.db.execProtocolRawStream(SYNC_MESSAGE, { onRawData: data => watcher?.push(data) }))
        .then(() => watcher?.end(true), () => watcher?.end(false))
      await queue.processQueue()
    }
  }
}
