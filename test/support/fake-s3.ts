// A loopback stand-in for an S3-compatible bucket (path-style, one bucket) speaking the REST subset the media store
// uses, with real XML bodies, status codes and SigV4 checks on every request (header-signed and presigned). Objects
// and parts live on disk, so a large upload never sits in memory. Tests can make the next call of an operation fail,
// and move objects and multipart uploads back in time (S3 has no such call: it stands in for a day passing).
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { crc32 } from 'node:zlib'

export type S3Operation = 'PutObject' | 'CreateMultipartUpload' | 'UploadPart' | 'CompleteMultipartUpload' | 'AbortMultipartUpload'
  | 'GetObject' | 'HeadObject' | 'DeleteObject' | 'DeleteObjects' | 'ListObjectsV2' | 'ListParts' | 'ListMultipartUploads'

export interface FakeS3Options {
  accessKeyId: string
  secretAccessKey: string
  bucket: string
  /** Caps ListObjectsV2, ListParts and ListMultipartUploads pages (S3's own cap is 1000), so pagination can be exercised with a few objects. */
  maxKeysPerPage?: number
}

export interface FakeS3 {
  endpoint: string
  /** Every request that reached an operation, in order. */
  requests: { method: string, operation: S3Operation, status: number }[]
  /** Where the bytes of `key` are kept on disk. */
  objectPath: (key: string) => string
  /** The next `times` calls of `operation` answer `status` (500 InternalError or 503 SlowDown). */
  failNext: (operation: S3Operation, status: 500 | 503, times?: number) => void
  /** Multipart uploads neither completed nor aborted. */
  pendingUploads: () => number
  /** The key of every object in the bucket, sorted. */
  objectKeys: () => string[]
  /** Objects and multipart uploads whose key starts with `prefix` look `ms` older (LastModified, Initiated). */
  backdate: (prefix: string, ms: number) => void
  stop: () => Promise<void>
}

interface StoredObject { etag: string, size: number, contentType: string, lastModified: Date, metadata: Record<string, string> }
interface Multipart { key: string, initiated: Date, contentType: string, metadata: Record<string, string>, parts: Map<number, { etag: string, size: number, lastModified: Date }> }
interface Received { path: string, size: number, md5: Buffer, sha256: string, crc32: number }

class S3Error extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, string | number> = {}) {
    super(message)
  }
}

const minimumPartSize = 5 * 1024 * 1024
const xmlHeader = '<?xml version="1.0" encoding="UTF-8"?>\n'
const namespace = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
const failureCodes = { 500: ['InternalError', 'We encountered an internal error. Please try again.'], 503: ['SlowDown', 'Please reduce your request rate.'] } as const

const entities: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '\'': '&apos;', '"': '&quot;' }
const escapeXml = (text: string) => text.replace(/[<>&'"]/g, character => entities[character]!)
const unescapeXml = (text: string) => text.replace(/&(lt|gt|amp|apos|quot|#\d+);/g, (_all, entity: string) =>
  entity.startsWith('#') ? String.fromCharCode(Number(entity.slice(1))) : ({ lt: '<', gt: '>', amp: '&', apos: '\'', quot: '"' } as Record<string, string>)[entity]!)
const tagValues = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map(match => unescapeXml(match[1]!))
const strictEncode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, character => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)
const sha256Hex = (data: string) => createHash('sha256').update(data).digest('hex')
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest()
const amzTime = (text: string) => Date.parse(text.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'))

export async function startFakeS3(options: FakeS3Options): Promise<FakeS3> {
  const root = await mkdtemp(join(tmpdir(), 'reelwise-fake-s3-'))
  await Promise.all(['objects', 'parts', 'incoming'].map(dir => mkdir(join(root, dir))))
  const objects = new Map<string, StoredObject>()
  const uploads = new Map<string, Multipart>()
  const failures = new Map<S3Operation, (500 | 503)[]>()
  const requests: FakeS3['requests'] = []
  const objectPath = (key: string) => join(root, 'objects', createHash('sha256').update(key).digest('hex'))
  const partPath = (uploadId: string, partNumber: number) => join(root, 'parts', `${uploadId}-${partNumber}`)

  // SigV4 as the spec defines it, written independently of the SDK so the fake checks the SDK rather than mirroring it.
  function authenticate(request: IncomingMessage, rawPath: string, rawQuery: string): string {
    const query = new URLSearchParams(rawQuery)
    const presigned = query.has('X-Amz-Signature')
    const header = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(request.headers.authorization ?? '')
    if (!presigned && !header) throw new S3Error(403, 'AccessDenied', 'Access Denied')
    const credential = presigned ? query.get('X-Amz-Credential') ?? '' : header![1]!
    const signedHeaders = presigned ? query.get('X-Amz-SignedHeaders') ?? '' : header![2]!
    const signature = presigned ? query.get('X-Amz-Signature') ?? '' : header![3]!
    const amzDate = (presigned ? query.get('X-Amz-Date') : request.headers['x-amz-date'] as string | undefined) ?? ''
    const payloadHash = presigned ? 'UNSIGNED-PAYLOAD' : String(request.headers['x-amz-content-sha256'] ?? '')
    const [accessKeyId, day, region, service, terminator] = credential.split('/')
    if (accessKeyId !== options.accessKeyId) throw new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.')
    const signedAt = amzTime(amzDate)
    if (Number.isNaN(signedAt) || day !== amzDate.slice(0, 8) || terminator !== 'aws4_request') throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.')
    const expiresIn = Number(query.get('X-Amz-Expires'))
    if (presigned && !(Number.isInteger(expiresIn) && expiresIn > 0 && expiresIn <= 604_800)) throw new S3Error(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be between 1 and 604800 seconds.')
    if (presigned && Date.now() > signedAt + expiresIn * 1000) throw new S3Error(403, 'AccessDenied', 'Request has expired')
    if (!presigned && Math.abs(Date.now() - signedAt) > 15 * 60_000) throw new S3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.')
    if (!payloadHash) throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256')
    const canonicalQuery = rawQuery.split('&').filter(Boolean)
      .map(pair => pair.includes('=') ? [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] : [pair, ''])
      .map(([name, value]) => [strictEncode(decodeURIComponent(name!)), strictEncode(decodeURIComponent(value!))] as const)
      .filter(([name]) => name !== 'X-Amz-Signature')
      .sort(([nameA, valueA], [nameB, valueB]) => nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0)
      .map(([name, value]) => `${name}=${value}`).join('&')
    const canonicalHeaders = signedHeaders.split(';').map(name => `${name}:${String(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('')
    const canonicalRequest = [request.method, rawPath, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n')
    const scope = `${day}/${region}/${service}/aws4_request`
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${options.secretAccessKey}`, day!), region!), service!), 'aws4_request')
    const expected = Buffer.from(hmac(signingKey, ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n')).toString('hex'))
    const given = Buffer.from(signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.')
    }
    return payloadHash
  }

  // Streams the body to a file, hashing on the way; nothing of it is held in memory.
  async function receive(request: IncomingMessage): Promise<Received> {
    const path = join(root, 'incoming', randomUUID())
    const md5 = createHash('md5')
    const sha256 = createHash('sha256')
    let checksum = 0
    let size = 0
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk)
        sha256.update(chunk)
        checksum = crc32(chunk, checksum)
        size += chunk.length
        done(null, chunk)
      },
    })
    await pipeline(request, tap, createWriteStream(path)).catch(async (error: unknown) => {
      await rm(path, { force: true })
      throw error
    })
    return { path, size, md5: md5.digest(), sha256: sha256.digest('hex'), crc32: checksum }
  }

  function checkIntegrity(request: IncomingMessage, payloadHash: string, body: Received) {
    if (/^STREAMING-/.test(payloadHash)) throw new S3Error(501, 'NotImplemented', 'aws-chunked uploads are not supported by this fake')
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== body.sha256) throw new S3Error(400, 'XAmzContentSHA256Mismatch', 'The provided \'x-amz-content-sha256\' header does not match what was computed.')
    const md5Header = request.headers['content-md5']
    if (md5Header && md5Header !== body.md5.toString('base64')) throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.')
    const crcHeader = request.headers['x-amz-checksum-crc32']
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(body.crc32)
    if (crcHeader && crcHeader !== crc.toString('base64')) throw new S3Error(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.')
  }

  function operationOf(method: string, key: string, query: URLSearchParams): S3Operation | undefined {
    if (!key) {
      if (method === 'GET') return query.get('list-type') === '2' ? 'ListObjectsV2' : query.has('uploads') ? 'ListMultipartUploads' : undefined
      return method === 'POST' && query.has('delete') ? 'DeleteObjects' : undefined
    }
    if (method === 'PUT') return query.has('uploadId') ? 'UploadPart' : 'PutObject'
    if (method === 'POST') return query.has('uploads') ? 'CreateMultipartUpload' : query.has('uploadId') ? 'CompleteMultipartUpload' : undefined
    if (method === 'DELETE') return query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject'
    if (method === 'GET' && query.has('uploadId')) return 'ListParts'
    return method === 'GET' ? 'GetObject' : method === 'HEAD' ? 'HeadObject' : undefined
  }

  // User metadata: x-amz-meta-* headers, kept with the object and sent back on GET and HEAD.
  const userMetadata = (request: IncomingMessage) => Object.fromEntries(Object.entries(request.headers)
    .filter(([name]) => name.startsWith('x-amz-meta-')).map(([name, value]) => [name.slice('x-amz-meta-'.length), String(value)]))
  const quoted = (md5: Buffer) => `"${md5.toString('hex')}"`
  function multipart(query: URLSearchParams): Multipart {
    const upload = uploads.get(query.get('uploadId') ?? '')
    if (!upload) throw new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.')
    return upload
  }
  function existing(key: string): StoredObject {
    const object = objects.get(key)
    if (!object) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key })
    return object
  }
  async function store(key: string, from: string, etag: string, size: number, contentType: string, metadata: Record<string, string>) {
    await rename(from, objectPath(key))
    objects.set(key, { etag, size, contentType, lastModified: new Date(), metadata })
  }

  async function complete(key: string, query: URLSearchParams, xml: string): Promise<string> {
    const upload = multipart(query)
    const numbers = tagValues(xml, 'PartNumber').map(Number)
    const etags = tagValues(xml, 'ETag')
    if (numbers.length === 0) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.')
    numbers.forEach((number, index) => {
      if (index > 0 && number <= numbers[index - 1]!) throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.')
      const part = upload.parts.get(number)
      if (!part || part.etag !== etags[index]) throw new S3Error(400, 'InvalidPart', 'One or more of the specified parts could not be found.')
      if (index < numbers.length - 1 && part.size < minimumPartSize) throw new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.')
    })
    const assembled = join(root, 'incoming', randomUUID())
    const uploadId = query.get('uploadId')!
    await pipeline(async function* () {
      for (const number of numbers) yield* createReadStream(partPath(uploadId, number))
    }, createWriteStream(assembled))
    const digests = numbers.map(number => Buffer.from(upload.parts.get(number)!.etag.slice(1, -1), 'hex'))
    const etag = `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${numbers.length}"`
    const size = numbers.reduce((total, number) => total + upload.parts.get(number)!.size, 0)
    await store(key, assembled, etag, size, upload.contentType, upload.metadata)
    await discard(uploadId)
    return `<CompleteMultipartUploadResult ${namespace}><Bucket>${options.bucket}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag></CompleteMultipartUploadResult>`
  }

  // ListParts: the parts of an open multipart upload, in order, a page at a time (part-number-marker, max-parts).
  function listParts(key: string, query: URLSearchParams): string {
    const upload = multipart(query)
    if (upload.key !== key) throw new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.')
    const marker = Number(query.get('part-number-marker') ?? 0)
    const maxParts = Math.min(Number(query.get('max-parts') ?? 1000), options.maxKeysPerPage ?? 1000)
    const numbers = [...upload.parts.keys()].filter(number => number > marker).sort((a, b) => a - b)
    const page = numbers.slice(0, maxParts)
    const truncated = numbers.length > page.length
    const parts = page.map((number) => {
      const part = upload.parts.get(number)!
      return `<Part><PartNumber>${number}</PartNumber><LastModified>${part.lastModified.toISOString()}</LastModified><ETag>${escapeXml(part.etag)}</ETag><Size>${part.size}</Size></Part>`
    }).join('')
    return `<ListPartsResult ${namespace}><Bucket>${options.bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${escapeXml(query.get('uploadId')!)}</UploadId>`
      + `<PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${page.at(-1) ?? marker}</NextPartNumberMarker><MaxParts>${maxParts}</MaxParts>`
      + `<IsTruncated>${truncated}</IsTruncated><StorageClass>STANDARD</StorageClass>${parts}</ListPartsResult>`
  }

  async function discard(uploadId: string) {
    const upload = uploads.get(uploadId)
    uploads.delete(uploadId)
    await Promise.all([...upload?.parts.keys() ?? []].map(number => rm(partPath(uploadId, number), { force: true })))
  }

  function list(query: URLSearchParams): string {
    const prefix = query.get('prefix') ?? ''
    const token = query.get('continuation-token')
    const after = token ? Buffer.from(token, 'base64url').toString() : query.get('start-after') ?? ''
    const maxKeys = Math.min(Number(query.get('max-keys') ?? 1000), options.maxKeysPerPage ?? 1000)
    const matching = [...objects.keys()].filter(key => key.startsWith(prefix) && key > after).sort()
    const page = matching.slice(0, maxKeys)
    const truncated = matching.length > page.length
    const encode = query.get('encoding-type') === 'url' ? strictEncode : (key: string) => key
    const contents = page.map((key) => {
      const object = objects.get(key)!
      return `<Contents><Key>${escapeXml(encode(key))}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>${escapeXml(object.etag)}</ETag><Size>${object.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`
    }).join('')
    const next = truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)!).toString('base64url')}</NextContinuationToken>` : ''
    const echoed = token ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : ''
    return `<ListBucketResult ${namespace}><Name>${options.bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${echoed}${contents}${next}</ListBucketResult>`
  }

  // ListMultipartUploads: open uploads ordered by key, then by initiation, a page at a time (key-marker and
  // upload-id-marker, max-uploads), as AWS answers it.
  function listUploads(query: URLSearchParams): string {
    const prefix = query.get('prefix') ?? ''
    const keyMarker = query.get('key-marker') ?? ''
    const uploadIdMarker = query.get('upload-id-marker') ?? ''
    const maxUploads = Math.min(Number(query.get('max-uploads') ?? 1000), options.maxKeysPerPage ?? 1000)
    const ordered = [...uploads].filter(([, upload]) => upload.key.startsWith(prefix))
      .sort(([idA, a], [idB, b]) => a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated.getTime() - b.initiated.getTime() || (idA < idB ? -1 : 1))
    // With upload-id-marker, the marker key's uploads after that one; without it, only keys after the marker.
    const markerIndex = uploadIdMarker ? ordered.findIndex(([id, upload]) => upload.key === keyMarker && id === uploadIdMarker) : -1
    const after = ordered.filter(([, upload], index) => upload.key > keyMarker || (markerIndex >= 0 && upload.key === keyMarker && index > markerIndex))
    const page = after.slice(0, maxUploads)
    const truncated = after.length > page.length
    const encode = query.get('encoding-type') === 'url' ? strictEncode : (key: string) => key
    const owner = '<ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>reelwise-test</DisplayName>'
    const listed = page.map(([id, upload]) => `<Upload><Key>${escapeXml(encode(upload.key))}</Key><UploadId>${id}</UploadId><Initiator>${owner}</Initiator>`
      + `<Owner>${owner}</Owner><StorageClass>STANDARD</StorageClass><Initiated>${upload.initiated.toISOString()}</Initiated></Upload>`).join('')
    const next = truncated ? `<NextKeyMarker>${escapeXml(encode(page.at(-1)![1].key))}</NextKeyMarker><NextUploadIdMarker>${page.at(-1)![0]}</NextUploadIdMarker>` : ''
    return `<ListMultipartUploadsResult ${namespace}><Bucket>${options.bucket}</Bucket><KeyMarker>${escapeXml(encode(keyMarker))}</KeyMarker>`
      + `<UploadIdMarker>${escapeXml(uploadIdMarker)}</UploadIdMarker>${next}<Prefix>${escapeXml(encode(prefix))}</Prefix><MaxUploads>${maxUploads}</MaxUploads>`
      + `<IsTruncated>${truncated}</IsTruncated>${listed}</ListMultipartUploadsResult>`
  }

  async function deleteMany(request: IncomingMessage, xml: string): Promise<string> {
    if (!request.headers['content-md5'] && !request.headers['x-amz-checksum-crc32']) throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5')
    const keys = tagValues(xml, 'Key')
    if (keys.length > 1000) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.')
    await Promise.all(keys.map(key => removeObject(key)))
    const quiet = tagValues(xml, 'Quiet')[0] === 'true'
    return `<DeleteResult ${namespace}>${quiet ? '' : keys.map(key => `<Deleted><Key>${escapeXml(key)}</Key></Deleted>`).join('')}</DeleteResult>`
  }

  async function removeObject(key: string) {
    objects.delete(key)
    await rm(objectPath(key), { force: true })
  }

  async function sendObject(request: IncomingMessage, response: ServerResponse, key: string, query: URLSearchParams) {
    const object = existing(key)
    const headers: Record<string, string | number> = {
      'etag': object.etag, 'content-type': object.contentType, 'last-modified': object.lastModified.toUTCString(), 'accept-ranges': 'bytes',
      ...Object.fromEntries(Object.entries(object.metadata).map(([name, value]) => [`x-amz-meta-${name}`, value])),
    }
    const disposition = query.get('response-content-disposition')
    if (disposition) headers['content-disposition'] = disposition
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '')
    let start = 0
    let end = object.size - 1
    if (range && (range[1] || range[2])) {
      start = range[1] ? Number(range[1]) : Math.max(object.size - Number(range[2]), 0)
      end = range[1] && range[2] ? Math.min(Number(range[2]), object.size - 1) : object.size - 1
      if (start >= object.size || start > end) {
        throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: request.headers.range!, ActualObjectSize: object.size })
      }
      headers['content-range'] = `bytes ${start}-${end}/${object.size}`
    }
    headers['content-length'] = Math.max(end - start + 1, 0)
    response.writeHead(range && headers['content-range'] ? 206 : 200, headers)
    if (request.method === 'HEAD' || object.size === 0) return response.end()
    // A client that hangs up mid-download is not the fake's failure.
    await pipeline(createReadStream(objectPath(key), { start, end }), response).catch(() => {})
  }

  interface Routed { rawPath: string, rawQuery: string, query: URLSearchParams, bucket: string, key: string, operation?: S3Operation }
  function route(request: IncomingMessage): Routed {
    const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split('?', 2)
    const query = new URLSearchParams(rawQuery)
    const [, bucket = '', ...keyParts] = rawPath.split('/')
    const key = decodeURIComponent(keyParts.join('/'))
    return { rawPath, rawQuery, query, bucket, key, operation: operationOf(request.method ?? '', key, query) }
  }

  function reply(response: ServerResponse, status: number, xml?: string, headers: Record<string, string> = {}) {
    const body = xml ? xmlHeader + xml : ''
    response.writeHead(status, { ...xml ? { 'content-type': 'application/xml' } : {}, 'content-length': String(Buffer.byteLength(body)), ...headers })
    response.end(body)
  }

  async function handle(request: IncomingMessage, response: ServerResponse, { rawPath, rawQuery, query, bucket, key, operation }: Routed) {
    if (!operation) throw new S3Error(501, 'NotImplemented', 'A header or query you provided implies functionality that is not implemented.')
    const payloadHash = authenticate(request, rawPath, rawQuery)
    if (bucket !== options.bucket) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket })
    const body = await receive(request)
    try {
      checkIntegrity(request, payloadHash, body)
      const status = failures.get(operation)?.shift()
      if (status) throw new S3Error(status, failureCodes[status][0], failureCodes[status][1])
      const contentType = String(request.headers['content-type'] ?? 'binary/octet-stream')
      const uploadId = query.get('uploadId') ?? ''
      if (operation === 'PutObject') {
        await store(key, body.path, quoted(body.md5), body.size, contentType, userMetadata(request))
        return reply(response, 200, undefined, { etag: quoted(body.md5) })
      }
      if (operation === 'CreateMultipartUpload') {
        const newId = randomUUID().replaceAll('-', '')
        uploads.set(newId, { key, initiated: new Date(), contentType, metadata: userMetadata(request), parts: new Map() })
        return reply(response, 200, `<InitiateMultipartUploadResult ${namespace}><Bucket>${options.bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${newId}</UploadId></InitiateMultipartUploadResult>`)
      }
      if (operation === 'UploadPart') {
        const partNumber = Number(query.get('partNumber'))
        multipart(query).parts.set(partNumber, { etag: quoted(body.md5), size: body.size, lastModified: new Date() })
        await rename(body.path, partPath(uploadId, partNumber))
        return reply(response, 200, undefined, { etag: quoted(body.md5) })
      }
      if (operation === 'CompleteMultipartUpload') return reply(response, 200, await complete(key, query, await readFile(body.path, 'utf8')))
      if (operation === 'AbortMultipartUpload') {
        multipart(query)
        await discard(uploadId)
        return reply(response, 204)
      }
      if (operation === 'DeleteObject') {
        await removeObject(key)
        return reply(response, 204)
      }
      if (operation === 'DeleteObjects') return reply(response, 200, await deleteMany(request, await readFile(body.path, 'utf8')))
      if (operation === 'ListObjectsV2') return reply(response, 200, list(query))
      if (operation === 'ListParts') return reply(response, 200, listParts(key, query))
      if (operation === 'ListMultipartUploads') return reply(response, 200, listUploads(query))
      await sendObject(request, response, key, query)
    }
    finally {
      await rm(body.path, { force: true })
    }
  }

  function fail(request: IncomingMessage, response: ServerResponse, error: unknown, requestId: string) {
    const failure = error instanceof S3Error ? error : new S3Error(500, 'InternalError', String(error))
    const extra = Object.entries(failure.extra).map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`).join('')
    const resource = escapeXml((request.url ?? '/').split('?')[0]!)
    // The body is drained, so the client reads the answer rather than a reset connection.
    request.resume()
    if (response.headersSent) return response.destroy()
    const headers: Record<string, string> = failure.status === 416 ? { 'content-range': `bytes */${failure.extra.ActualObjectSize}` } : {}
    // HEAD answers carry no body, which is why the SDK can only name them by status.
    if (request.method === 'HEAD') return reply(response, failure.status, undefined, headers)
    reply(response, failure.status, `<Error><Code>${failure.code}</Code><Message>${escapeXml(failure.message)}</Message>${extra}<Resource>${resource}</Resource><RequestId>${requestId}</RequestId></Error>`, headers)
  }

  // Logged on arrival, with the status read when asked, so a test never races the log.
  function logEntry(method: string, operation: S3Operation, response: ServerResponse) {
    return {
      method,
      operation,
      get status() {
        return response.statusCode
      },
    }
  }

  const server = createServer((request, response) => {
    const requestId = randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()
    response.setHeader('x-amz-request-id', requestId)
    response.setHeader('server', 'AmazonS3')
    const routed = route(request)
    if (routed.operation) requests.push(logEntry(request.method!, routed.operation, response))
    handle(request, response, routed).catch(error => fail(request, response, error, requestId))
  })
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    objectPath,
    failNext(operation, status, times = 1) {
      failures.set(operation, [...failures.get(operation) ?? [], ...Array.from({ length: times }, () => status)])
    },
    pendingUploads: () => uploads.size,
    objectKeys: () => [...objects.keys()].sort(),
    backdate(prefix, ms) {
      const back = (date: Date) => new Date(date.getTime() - ms)
      for (const [key, object] of objects) if (key.startsWith(prefix)) object.lastModified = back(object.lastModified)
      for (const upload of uploads.values()) if (upload.key.startsWith(prefix)) upload.initiated = back(upload.initiated)
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>(done => server.close(() => done()))
      await rm(root, { recursive: true, force: true })
    },
  }
}
