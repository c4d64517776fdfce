// A loopback TCP proxy between the app and its database, that a test can cut: every open connection is destroyed,
// and new ones are dropped as they arrive, until it is restored. That is what a database restart or a network
// partition looks like to the app's connection pools. It also keeps what each client sent (the first 64 KiB), so a
// test can read how a connection ended (a Redis QUIT, or nothing before the socket closed).
import { once } from 'node:events'
import { createConnection, createServer, type Socket } from 'node:net'

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number
  /** `url` with its host and port replaced by the proxy's. */
  through: (url: string) => string
  cut: () => void
  restore: () => void
  /** Connections accepted while the proxy was up. */
  accepted: () => number
  /** What each accepted connection's client sent (latin1), and whether the connection has closed. */
  transcripts: () => { sent: string, closed: boolean }[]
  close: () => Promise<void>
}

export async function startTcpProxy(target: { host: string, port: number }, { startCut = false } = {}): Promise<TcpProxy> {
  let cut = startCut
  let accepted = 0
  const sockets = new Set<Socket>()
  const transcripts: { sent: string, closed: boolean }[] = []
  const server = createServer((client) => {
    if (cut) {
      client.destroy()
      return
    }
    accepted++
    const transcript = { sent: '', closed: false }
    transcripts.push(transcript)
    client.on('data', (chunk: Buffer) => {
      if (transcript.sent.length < 65_536) transcript.sent += chunk.toString('latin1')
    })
    client.on('close', () => {
      transcript.closed = true
    })
    const upstream = createConnection(target)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {})
    }
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream)
    upstream.pipe(client)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return {
    port,
    through(url) {
      const proxied = new URL(url)
      proxied.hostname = '127.0.0.1'
      proxied.port = String(port)
      return proxied.toString()
    },
    cut() {
      cut = true
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      cut = false
    },
    accepted: () => accepted,
    transcripts: () => transcripts,
    async close() {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close')
    },
  }
}

/** Host and port of a postgres:// URL. */
export function addressOf(url: string): { host: string, port: number } {
  const parsed = new URL(url)
  return { host: parsed.hostname, port: Number(parsed.port || 5432) }
}
