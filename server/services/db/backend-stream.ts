// Reads what the embedded PGlite sends back as it streams to the connections (server/services/db/socket-queue.ts), to
// pick out notifications. PGlite has one session for every connection, so a NOTIFY reaches a LISTEN of that session
// as a NotificationResponse in the answer of whichever connection committed (measured: before its ReadyForQuery), and
// no listening connection ever sees it. Reading the stream hears it before the committing connection does.
// Only a message's type and length are read; bodies are skipped, except a notification's and a command tag's.

export interface BackendStreamEvents {
  notification: (channel: string, payload: string) => void
  /** The session stopped listening (UNLISTEN or DISCARD ALL from some connection): later notifications will not come. */
  unlistened: () => void
  /** The stream could not be read (or an answer broke off): a notification may have been missed. */
  lost: () => void
}

// Every message type a backend sends (PostgreSQL protocol 3.0).
const BACKEND_TYPES = new Set([...'RKSZTDCENA123nstIGHWcdVv'].map(letter => letter.charCodeAt(0)))
const NOTIFICATION = 'A'.charCodeAt(0)
const COMMAND_COMPLETE = 'C'.charCodeAt(0)
// A notification (channel, payload) or a command tag is short; anything longer is not one we read.
const MAX_READ_BODY = 1 << 20

const decoder = new TextDecoder()

export class BackendStream {
  private readonly header = new Uint8Array(5)
  private headerBytes = 0
  private type = 0
  // Bytes of the current body still to come, skipped or collected into `body`.
  private remaining = 0
  private body: Uint8Array | undefined
  private bodyAt = 0
  private broken = false

  constructor(private readonly events: BackendStreamEvents) {}

  /** Bytes of one answer, in order. */
  push(data: Uint8Array): void {
    let at = 0
    while (at < data.length && !this.broken) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, data.length - at)
        if (this.body) this.body.set(data.subarray(at, at + take), this.bodyAt)
        this.bodyAt += take
        this.remaining -= take
        at += take
        if (this.remaining === 0) this.finish()
        continue
      }
      const take = Math.min(5 - this.headerBytes, data.length - at)
      this.header.set(data.subarray(at, at + take), this.headerBytes)
      this.headerBytes += take
      at += take
      if (this.headerBytes < 5) break
      this.headerBytes = 0
      this.type = this.header[0]!
      const length = new DataView(this.header.buffer).getInt32(1) - 4
      if (!BACKEND_TYPES.has(this.type) || length < 0) {
        this.broken = true
        this.events.lost()
        break
      }
      const read = (this.type === NOTIFICATION || this.type === COMMAND_COMPLETE) && length <= MAX_READ_BODY
      this.body = read ? new Uint8Array(length) : undefined
      this.bodyAt = 0
      this.remaining = length
      if (length === 0) this.finish()
    }
  }

  /** The answer to one message is complete (`ok`) or broke off. Every answer ends on a message boundary. */
  end(ok: boolean): void {
    const midMessage = this.headerBytes > 0 || this.remaining > 0
    if (!this.broken && (!ok || midMessage)) this.events.lost()
    this.headerBytes = 0
    this.remaining = 0
    this.body = undefined
    this.broken = false
  }

  private finish(): void {
    const body = this.body
    this.body = undefined
    if (!body) return
    if (this.type === COMMAND_COMPLETE) {
      const tag = decoder.decode(body.subarray(0, body.indexOf(0) === -1 ? body.length : body.indexOf(0)))
      if (tag === 'UNLISTEN' || tag === 'DISCARD ALL') this.events.unlistened()
      return
    }
    // NotificationResponse: Int32 process id, then channel and payload, each ending in a zero byte.
    const channelEnd = body.indexOf(0, 4)
    const payloadEnd = body.indexOf(0, channelEnd + 1)
    if (channelEnd === -1 || payloadEnd === -1) {
      this.broken = true
      this.events.lost()
      return
    }
    this.events.notification(decoder.decode(body.subarray(4, channelEnd)), decoder.decode(body.subarray(channelEnd + 1, payloadEnd)))
  }
}
