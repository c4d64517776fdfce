// A wire-level tus 1.0 client for tests: each request is explicit, so a test can drop a connection
// part-way through a PATCH or restart the server between two requests. The page uses tus-js-client.
import { createReadStream } from 'node:fs'
import type { ApiClient } from './api'

export interface TusResponse { status: number, headers: Headers, body: string }

export class TusTestClient {
  constructor(readonly api: ApiClient, readonly workspaceId: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { 'tus-resumable': '1.0.0', 'authorization': `Bearer ${this.api.token}`, ...extra }
  }

  private async send(method: string, url: string, headers: Record<string, string>, body?: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<TusResponse> {
    const response = await fetch(new URL(url, this.api.baseUrl), { method, headers: this.headers(headers), body, signal, ...(body ? { duplex: 'half' } : {}) } as RequestInit)
    return { status: response.status, headers: response.headers, body: await response.text() }
  }

  /** POST: creates an upload of `size` bytes; the Location header is where the bytes go. */
  create(size: number, metadata: Record<string, string>): Promise<TusResponse> {
    const encoded = Object.entries(metadata).map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`).join(',')
    return this.send('POST', `/api/workspaces/${this.workspaceId}/uploads`, { 'upload-length': String(size), 'upload-metadata': encoded })
  }

  /** HEAD: how many bytes the server holds. */
  async offset(location: string): Promise<number> {
    const response = await this.send('HEAD', location, {})
    if (response.status !== 200) throw new Error(`HEAD ${location}: ${response.status}`)
    return Number(response.headers.get('upload-offset'))
  }

  /**
   * PATCH: streams `path` from `offset` up to `end` (exclusive). With `dropAfterBytes`, the connection is cut
   * once that many bytes have gone out, as a flaky network would; the response is then undefined.
   */
  async patch(location: string, path: string, offset: number, options: { end?: number, dropAfterBytes?: number } = {}): Promise<TusResponse | undefined> {
    const controller = new AbortController()
    const file = createReadStream(path, { start: offset, end: options.end === undefined ? undefined : options.end - 1, highWaterMark: 1024 * 1024 })
    const chunks = file[Symbol.asyncIterator]()
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      async pull(stream) {
        const { value, done } = await chunks.next()
        if (done) return stream.close()
        stream.enqueue(new Uint8Array(value as Buffer))
        sent += (value as Buffer).length
        if (options.dropAfterBytes !== undefined && sent >= options.dropAfterBytes) {
          // Give the server a moment to write what it has, then cut the connection.
          await new Promise(resolve => setTimeout(resolve, 300))
          controller.abort()
        }
      },
      cancel: () => {
        file.destroy()
      },
    })
    try {
      return await this.send('PATCH', location, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body, controller.signal)
    }
    catch (error) {
      if (controller.signal.aborted) return undefined
      throw error
    }
    finally {
      file.destroy()
    }
  }

  /** Sends a whole file in one creation and one PATCH; returns the final response. */
  async upload(path: string, size: number, metadata: Record<string, string>): Promise<TusResponse> {
    const created = await this.create(size, metadata)
    if (created.status !== 201) return created
    return (await this.patch(created.headers.get('location')!, path, 0))!
  }
}
