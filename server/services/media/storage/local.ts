// Media on local disk under one root (DATA_DIR/media by default). Signed URLs point at the app's own
// /media route, which checks an HMAC and an expiry and serves byte ranges so players can seek.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, opendir, readdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { assertListablePrefix, assertSafeKey, assertSafePrefix } from './keys'
import { MediaNotFoundError, RangeNotSatisfiableError } from './types'
import type { ByteRange, ListedObject, MediaStore, PutOptions, SignedUrlOptions, StoredObjectInfo } from './types'

export interface LocalMediaStoreOptions {
  root: string
  /** Base URL of the app, e.g. http://localhost:3000; signed URLs are absolute so ffmpeg and platforms can use them. */
  appUrl: string
  /** Key material for URL signatures (derived from SECRET_KEY). */
  signingKey: string
}

export interface LocalMediaStore extends MediaStore {
  readonly driver: 'local'
  /** True when `signature` is this store's signature of `key` and `expires` (unix seconds) has not passed. */
  verifySignature(key: string, expires: number, signature: string, downloadName?: string): boolean
}

const contentTypes: Record<string, string> = {
  mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mkv: 'video/x-matroska', avi: 'video/x-msvideo',
  jpg: 'image/jpeg', png: 'image/png', json: 'application/json',
  // Studio assets: music tracks and logos.
  webp: 'image/webp', mp3: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav', ogg: 'audio/ogg', flac: 'audio/flac', aac: 'audio/aac',
}

export function contentTypeOf(key: string): string {
  return contentTypes[key.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream'
}

export function createLocalMediaStore(options: LocalMediaStoreOptions): LocalMediaStore {
  const root = resolve(options.root)
  const hmacKey = createHmac('sha256', options.signingKey).update('reelwise media url v1').digest()

  function pathOf(key: string): string {
    const path = resolve(root, assertSafeKey(key))
    // Belt and braces: keys are already checked, but a path must never leave the root.
    if (!path.startsWith(root + sep)) throw new Error(`media key ${key} escapes the storage root`)
    return path
  }

  function sign(key: string, expires: number, downloadName = ''): string {
    return createHmac('sha256', hmacKey).update(`${key}\n${expires}\n${downloadName}`).digest('base64url')
  }

  async function stored(key: string): Promise<StoredObjectInfo | undefined> {
    const info = await stat(pathOf(key)).catch(() => undefined)
    return info?.isFile() ? { sizeBytes: info.size, contentType: contentTypeOf(key) } : undefined
  }

  async function put(key: string, body: Readable): Promise<StoredObjectInfo> {
    const path = pathOf(key)
    await mkdir(dirname(path), { recursive: true })
    // Written beside the target and renamed, so a reader never sees half a file.
    const partial = `${path}.part-${randomUUID()}`
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx' }))
      await rename(partial, path)
    }
    catch (error) {
      await rm(partial, { force: true })
      throw error
    }
    return (await stored(key))!
  }

  async function* list(prefix: string): AsyncIterable<ListedObject> {
    const dir = resolve(root, assertListablePrefix(prefix))
    if (!dir.startsWith(root + sep)) throw new Error(`media prefix ${prefix} escapes the storage root`)
    // Walked lazily, so a large store is never held as one array.
    const walk = await opendir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw error
    })
    if (!walk) return
    for await (const entry of walk) {
      if (!entry.isFile()) continue
      const path = join(entry.parentPath, entry.name)
      // Removed between the listing and the stat: nothing to report.
      const info = await stat(path).catch(() => undefined)
      if (info) yield { key: relative(root, path).split(sep).join('/'), sizeBytes: info.size, lastModified: info.mtime }
    }
  }

  return {
    driver: 'local',
    list,
    put: (key, body, _options?: PutOptions) => put(key, body),
    putFile: async (key, path) => put(assertSafeKey(key), createReadStream(path)),
    async get(key: string, range?: ByteRange) {
      const info = await stored(key)
      if (!info) throw new MediaNotFoundError(key)
      if (!range) return { ...info, body: createReadStream(pathOf(key)), contentLength: info.sizeBytes }
      const end = Math.min(range.end ?? info.sizeBytes - 1, info.sizeBytes - 1)
      if (range.start >= info.sizeBytes || range.start > end) throw new RangeNotSatisfiableError(info.sizeBytes)
      return {
        ...info,
        body: createReadStream(pathOf(key), { start: range.start, end }),
        contentLength: end - range.start + 1,
        range: { start: range.start, end },
      }
    },
    stat: stored,
    async delete(key: string) {
      await rm(pathOf(key), { force: true })
    },
    async deletePrefix(prefix: string) {
      const dir = resolve(root, assertSafePrefix(prefix))
      if (!dir.startsWith(root + sep)) throw new Error(`media prefix ${prefix} escapes the storage root`)
      const files = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
      const count = files.filter(entry => entry.isFile()).length
      await rm(dir, { recursive: true, force: true })
      return count
    },
    async signedUrl(key: string, { expiresInSeconds, downloadName }: SignedUrlOptions) {
      assertSafeKey(key)
      const expires = Math.floor(Date.now() / 1000) + expiresInSeconds
      const url = new URL(`/media/${key}`, options.appUrl)
      url.searchParams.set('expires', String(expires))
      if (downloadName) url.searchParams.set('download', downloadName)
      url.searchParams.set('signature', sign(key, expires, downloadName))
      return url.toString()
    },
    verifySignature(key: string, expires: number, signature: string, downloadName?: string) {
      if (!Number.isFinite(expires) || expires < Date.now() / 1000) return false
      const expected = Buffer.from(sign(key, expires, downloadName))
      const given = Buffer.from(signature)
      return expected.length === given.length && timingSafeEqual(expected, given)
    },
    async openLocal(key: string) {
      if (!await stored(key)) throw new MediaNotFoundError(key)
      return { path: pathOf(key), release: async () => {} }
    },
  }
}

/** Where the local store keeps `key`, for tests that inspect the bytes on disk. */
export function localPathOf(root: string, key: string): string {
  return join(resolve(root), assertSafeKey(key))
}
