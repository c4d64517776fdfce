// tus must act on exactly the upload the route authorised. @tus/server reads the id from the last `/segment` of
// the whole URL, query included, while h3 matches the route without the query: a member of workspace A who
// owns upload M must not reach workspace B's upload V through `/uploads/M?x=/V` or an encoded slash.
import { createHash } from 'node:crypto'
import { request } from 'node:http'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { TusTestClient } from '../support/tus'

interface RawResponse { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/** Sends `path` exactly as written (fetch would normalise backslashes and dot segments). */
function raw(app: RunningApp, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<RawResponse> {
  const url = new URL(app.url)
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: url.hostname, port: url.port, method, path, headers: { 'tus-resumable': '1.0.0', ...headers } }, (response) => {
      let text = ''
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString()
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }))
    })
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex')
}

async function signUp(app: RunningApp, name: string) {
  const api = new ApiClient(app.url)
  expect((await api.signUp({ name, email: `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@tus-ids.test` })).status).toBe(201)
  const workspaceId = (await api.session()).workspaces[0]!.id
  return { api, workspaceId, tus: new TusTestClient(api, workspaceId) }
}

describe(`tus acts only on the upload the route authorised, on ${inject('databaseKind')}`, () => {
  let dataDir: string
  let app: RunningApp

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-tus-ids-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl') })
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('refuses HEAD, PATCH and DELETE whose URL names another workspace\'s upload, and leaves that upload untouched', async (context) => {
    context.onTestFailed(() => console.log(app.output()))
    const alice = await signUp(app, 'Alice')
    const bruno = await signUp(app, 'Bruno')
    const payload = join(dataDir, 'payload.bin')
    await writeFile(payload, Buffer.alloc(64 * 1024, 7))

    // Bruno's unfinished upload V: 40 KiB of a 100 KiB file have arrived.
    const victim = await bruno.tus.create(100 * 1024, { filename: 'bruno-secret-launch.mp4' })
    expect(victim.status, victim.body).toBe(201)
    const victimLocation = victim.headers.get('location')!
    const victimId = victimLocation.split('/').pop()!
    const brunoBytes = join(dataDir, 'bruno.bin')
    await writeFile(brunoBytes, Buffer.alloc(40 * 1024, 1))
    expect((await bruno.tus.patch(victimLocation, brunoBytes, 0))!.status).toBe(204)
    const staged = join(dataDir, 'uploads', victimId)
    const before = await sha256(staged)
    expect((await stat(staged)).size).toBe(40 * 1024)

    // Alice's own unfinished upload M, of another size, so a leaked offset or length would show.
    const own = await alice.tus.create(77 * 1024, { filename: 'alice.mp4' })
    expect(own.status, own.body).toBe(201)
    const ownPath = own.headers.get('location')!
    const auth = { authorization: `Bearer ${alice.api.token}` }

    const tricks = [
      `${ownPath}?x=/${victimId}`,
      `${ownPath}?/${victimId}`,
      `${ownPath}?x=%2F${victimId}`,
      `${ownPath}?x=%2f${victimId}`,
      `${ownPath}?x=\\${victimId}`,
      `${ownPath}?x=%5C${victimId}`,
      `${ownPath}/?x=/${victimId}`,
      `${ownPath}%2F${victimId}`,
      `${ownPath}%5C${victimId}`,
      `${ownPath}%2F..%2F${victimId}`,
    ]
    for (const path of tricks) {
      const head = await raw(app, 'HEAD', path, auth)
      // Nothing about V comes back: not its offset, its length or its metadata.
      expect(head.headers['upload-offset'], `HEAD ${path}`).not.toBe(String(40 * 1024))
      expect(head.headers['upload-length'], `HEAD ${path}`).not.toBe(String(100 * 1024))
      expect(JSON.stringify(head.headers), `HEAD ${path}`).not.toContain(Buffer.from('bruno-secret-launch.mp4').toString('base64'))
      expect(head.status, `HEAD ${path}`).toBeGreaterThanOrEqual(400)

      const patch = await raw(app, 'PATCH', path, { ...auth, 'upload-offset': String(40 * 1024), 'content-type': 'application/offset+octet-stream' }, Buffer.alloc(8 * 1024, 9))
      expect(patch.status, `PATCH ${path}`).toBeGreaterThanOrEqual(400)

      const remove = await raw(app, 'DELETE', path, auth)
      expect(remove.status, `DELETE ${path}`).toBeGreaterThanOrEqual(400)

      // V is still Bruno's, byte for byte, and still resumable.
      expect(await sha256(staged), `after ${path}`).toBe(before)
      expect(await bruno.tus.offset(victimLocation), `after ${path}`).toBe(40 * 1024)
    }

    // Alice's own upload still answers at its plain URL: the refusals were about the URL, not about her.
    const plain = await raw(app, 'HEAD', ownPath, auth)
    expect(plain.status).toBe(200)
    expect(plain.headers['upload-offset']).toBe('0')
    expect(plain.headers['upload-length']).toBe(String(77 * 1024))
  }, 120_000)
})
