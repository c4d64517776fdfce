// The skeleton every social platform fake shares: a loopback HTTP server that stands in for all of a platform's
// hosts at once (the connectors ask `https://host/path` at `<url>/host/path`, see platformUrl), a route table keyed
// by method, host and path pattern, a record of every request (bodies kept, for counting publishes), and scripted
// failures: a test queues a reply for an endpoint and the next call to it gets that instead.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeRequest {
  method: string
  host: string
  /** The path on the platform's host, without the query. */
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: Buffer
  /** The path pattern's named parts (`/:id/media` → params.id). */
  params: Record<string, string>
  /** The endpoint name the route was registered under. */
  endpoint: string
}

export interface FakeReply {
  status: number
  headers?: Record<string, string>
  /** JSON (an object or array) or raw text/bytes. */
  body?: unknown
  /** Holds the reply this long first. */
  delayMs?: number
  /** Never answers (the connection stays open until the client gives up). */
  hang?: boolean
  /** Closes the connection without an answer, as a network that dropped it mid-request. */
  drop?: boolean
  /** A scripted reply only: the fake's own handler runs first (the platform acts), then this answer replaces its own. */
  afterHandler?: boolean
}

export type FakeHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>

interface Route { method: string, host: string, pattern: RegExp, names: string[], endpoint: string, handler: FakeHandler }

export interface FakePlatformServer {
  url: string
  /** Every request so far, in order. */
  requests: FakeRequest[]
  /** How many calls an endpoint had. */
  count: (endpoint: string) => number
  /** Milliseconds spent handling requests so far (arrival to answer, summed over requests), for bench/publish.ts. */
  handlingMs: () => number
  /** The next `times` calls to `endpoint` get `reply` instead of the fake's own answer. */
  failNext: (endpoint: string, reply: FakeReply, times?: number) => void
  route: (method: string, host: string, path: string, endpoint: string, handler: FakeHandler) => void
  close: () => Promise<void>
}

function compile(path: string): { pattern: RegExp, names: string[] } {
  const names: string[] = []
  const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, name: string) => {
    names.push(name)
    return '([^/]+)'
  })
  return { pattern: new RegExp(`^${source}/?$`), names }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function send(response: ServerResponse, reply: FakeReply): void {
  if (reply.hang) return
  if (reply.drop) return void response.socket?.destroy()
  const isJson = reply.body !== undefined && !Buffer.isBuffer(reply.body) && typeof reply.body !== 'string'
  const body = reply.body === undefined ? '' : isJson ? JSON.stringify(reply.body) : reply.body as string | Buffer
  response.writeHead(reply.status, { ...(isJson ? { 'content-type': 'application/json; charset=UTF-8' } : {}), ...reply.headers })
  response.end(body)
}

export async function startFakePlatformServer(): Promise<FakePlatformServer> {
  const routes: Route[] = []
  const requests: FakeRequest[] = []
  const scripted = new Map<string, FakeReply[]>()
  let handlingMs = 0

  const server = createServer(async (incoming, response) => {
    const started = performance.now()
    try {
      const url = new URL(incoming.url ?? '/', 'http://fake')
      const [, host = '', ...rest] = url.pathname.split('/')
      const path = `/${rest.join('/')}`
      const body = await readBody(incoming)
      const method = incoming.method ?? 'GET'
      for (const route of routes) {
        if (route.method !== method || route.host !== host) continue
        const match = route.pattern.exec(path)
        if (!match) continue
        const params = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]))
        const request: FakeRequest = { method, host, path, query: url.searchParams, headers: incoming.headers, body, params, endpoint: route.endpoint }
        requests.push(request)
        const queued = scripted.get(route.endpoint)?.shift()
        const own = !queued || queued.afterHandler ? await route.handler(request) : undefined
        const reply = queued ?? own!
        if (reply.delayMs) await new Promise(resolve => setTimeout(resolve, reply.delayMs))
        return send(response, reply)
      }
      send(response, { status: 404, body: { error: { message: `The fake has no route for ${method} ${host}${path}` } } })
    }
    catch (error) {
      send(response, { status: 500, body: { error: { message: `The fake failed: ${(error as Error).message}` } } })
    }
    finally {
      handlingMs += performance.now() - started
    }
  })
  server.listen(0, '127.0.0.1')
  await new Promise(resolve => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: endpoint => requests.filter(request => request.endpoint === endpoint).length,
    handlingMs: () => handlingMs,
    failNext(endpoint, reply, times = 1) {
      const queue = scripted.get(endpoint) ?? []
      for (let index = 0; index < times; index++) queue.push(reply)
      scripted.set(endpoint, queue)
    },
    route(method, host, path, endpoint, handler) {
      routes.push({ method, host, ...compile(path), endpoint, handler })
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/** Parses a form body (application/x-www-form-urlencoded), as token endpoints take. */
export const formOf = (request: FakeRequest) => new URLSearchParams(request.body.toString('utf8'))

/** Parses a JSON body, or undefined when it is not JSON. */
export function jsonOf<T = Record<string, unknown>>(request: FakeRequest): T | undefined {
  try {
    return JSON.parse(request.body.toString('utf8')) as T
  }
  catch {
    return undefined
  }
}
