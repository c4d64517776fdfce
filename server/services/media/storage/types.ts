// One interface for where media bytes live: local disk (the default, under DATA_DIR) or S3-compatible storage
// (AWS S3, Cloudflare R2, Supabase Storage's S3 endpoint). Keys come from `keys.ts`, never from a user.
import type { Readable } from 'node:stream'

export interface ByteRange {
  /** First byte, inclusive. */
  start: number
  /** Last byte, inclusive; the end of the object when absent. */
  end?: number
}

export interface StoredObjectInfo {
  sizeBytes: number
  contentType?: string
}

export interface ObjectStream extends StoredObjectInfo {
  body: Readable
  /** The bytes this stream carries (the range's length when a range was asked for). */
  contentLength: number
  /** The range served, clamped to the object, when one was asked for. */
  range?: { start: number, end: number }
}

/** One object found by `list`. */
export interface ListedObject {
  key: string
  sizeBytes: number
  /** When it was last written: the file's mtime, or S3's LastModified. */
  lastModified: Date
}

export interface PutOptions {
  contentType?: string
}

export interface SignedUrlOptions {
  expiresInSeconds: number
  /** Sent back as Content-Disposition: attachment, for download links. */
  downloadName?: string
}

export interface MediaStore {
  readonly driver: 'local' | 's3'
  /** Streams `body` into `key` without holding it in memory; the object appears whole or not at all. */
  put(key: string, body: Readable, options?: PutOptions): Promise<StoredObjectInfo>
  /** Streams a file on local disk into `key`. */
  putFile(key: string, path: string, options?: PutOptions): Promise<StoredObjectInfo>
  /** Opens `key` (or a byte range of it). Throws `MediaNotFoundError` when it does not exist, `RangeNotSatisfiableError` for a bad range. */
  get(key: string, range?: ByteRange): Promise<ObjectStream>
  /** Size and type, or undefined when the key does not exist. */
  stat(key: string): Promise<StoredObjectInfo | undefined>
  /** Removes one object; removing a missing key is not an error. */
  delete(key: string): Promise<void>
  /** Removes every object under `prefix` (which must end with `/`). Returns how many were removed. */
  deletePrefix(prefix: string): Promise<number>
  /**
   * Every object under `prefix` (`ws/`, or a prefix from keys.ts), page by page, in no promised order. Half-written
   * files of the local driver are listed too, so a sweep can remove what a crash left.
   */
  list(prefix: string): AsyncIterable<ListedObject>
  /** A URL a browser, ffmpeg or a social platform can GET (with Range) until it expires. */
  signedUrl(key: string, options: SignedUrlOptions): Promise<string>
  /**
   * A path on this machine to read `key` from: the file itself for local disk, or a download into `scratchDir`
   * for S3. `release()` removes the download (and does nothing for local disk).
   */
  openLocal(key: string, scratchDir: string): Promise<{ path: string, release: () => Promise<void> }>
}

export class MediaNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`No media stored under ${key}`)
    this.name = 'MediaNotFoundError'
  }
}

export class RangeNotSatisfiableError extends Error {
  constructor(readonly sizeBytes: number) {
    super(`The requested range is outside the object (${sizeBytes} bytes)`)
    this.name = 'RangeNotSatisfiableError'
  }
}
