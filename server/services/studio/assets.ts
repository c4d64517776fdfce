// The Studio's assets: music tracks (ducked under speech) and logos (a watermark), uploaded once per workspace
// and named by id in recipes. ffprobe and a short decode decide what a file is, never its name or its declared type.
import { execFile } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { z } from 'zod'
import type { PrismaClient } from '../../generated/prisma/client'
import { formatBytes, formatDuration, formatDurationOver } from '#shared/library'
import { studioAssetLimits } from '#shared/studio'
import type { StudioAssetKind, StudioAssetSummary } from '#shared/studio'
import { runMediaTool } from '../media/ffmpeg'
import { guardInput } from '../media/input-guard'
import type { MediaTools } from '../media/ffmpeg'
import { studioAssetKey } from '../media/storage/keys'
import type { MediaStore } from '../media/storage/types'
import { conflict, notFound, ServiceError } from '../errors'
import { uuidv7 } from '../ids'
import { lockWorkspaceQuota, quotaRefusal, workspaceUsedBytes } from '../library/usage'

const run = promisify(execFile)

// Long enough to preview a track on the page; short enough that a leaked link dies.
const MEDIA_URL_SECONDS = 60 * 60

export const assetContentTypes: Record<string, string> = {
  mp3: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav', ogg: 'audio/ogg', flac: 'audio/flac', aac: 'audio/aac',
  png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp',
}

/** A file the Studio will not take, with the reason in words a creator can act on (HTTP 422, or 413 when too big). */
export class AssetRefusedError extends ServiceError {
  constructor(message: string, status = 422) {
    super(status, message)
    this.name = 'AssetRefusedError'
  }
}

const probeOutput = z.object({
  streams: z.array(z.object({
    codec_type: z.string().optional(),
    codec_name: z.string().optional(),
    width: z.number().optional(),
    height: z.number().optional(),
    disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  }).loose()).default([]),
  format: z.object({ format_name: z.string(), duration: z.string().optional() }).loose(),
})
type ProbeOutput = z.infer<typeof probeOutput>

export interface AssetFacts {
  extension: string
  durationMs: number | null
  width: number | null
  height: number | null
}

const imageCodecs: Record<string, string> = { png: 'png', mjpeg: 'jpg', webp: 'webp' }
const otherImageCodecs = new Set(['gif', 'bmp', 'tiff', 'apng', 'jpegls', 'jpeg2000', 'svg'])

/** What ffprobe made of a file, as a noun for the refusal ("a PNG image", "a video", "a text file"). */
function describe(output: ProbeOutput): string {
  const format = output.format.format_name
  const picture = output.streams.find(stream => stream.codec_type === 'video' && !stream.disposition?.attached_pic)
  const sound = output.streams.find(stream => stream.codec_type === 'audio')
  if (format === 'tty' || picture?.codec_name === 'ansi') return 'a text file'
  if (picture?.codec_name && (picture.codec_name in imageCodecs || otherImageCodecs.has(picture.codec_name) || /_pipe$|^image2$/.test(format))) {
    return `a ${picture.codec_name === 'mjpeg' ? 'JPEG' : picture.codec_name.toUpperCase()} image`
  }
  if (picture) return 'a video'
  if (sound) return 'an audio file'
  return `a ${format} file`
}

function musicContainer(format: string): string | undefined {
  const names = format.split(',')
  if (names.includes('mp3')) return 'mp3'
  if (names.includes('mp4') || names.includes('m4a') || names.includes('mov')) return 'm4a'
  if (names.includes('wav')) return 'wav'
  if (names.includes('ogg')) return 'ogg'
  if (names.includes('flac')) return 'flac'
  if (names.includes('aac')) return 'aac'
  return undefined
}

/** Decides from ffprobe's JSON whether a file is a usable music track or logo. Pure, for tests. */
export function interpretAsset(kind: StudioAssetKind, json: unknown): AssetFacts {
  const limits = studioAssetLimits[kind]
  const noun = kind === 'music' ? 'a music track' : 'a logo'
  const parsed = probeOutput.safeParse(json)
  if (!parsed.success) throw new AssetRefusedError(`This file could not be read as ${noun}. Upload ${limits.formats}.`)
  const output = parsed.data
  const what = describe(output)
  if (kind === 'music') {
    const sound = output.streams.find(stream => stream.codec_type === 'audio')
    // Cover art in an MP3 or M4A is a picture stream too, and is fine.
    const picture = output.streams.find(stream => stream.codec_type === 'video' && !stream.disposition?.attached_pic)
    if (picture || !sound) throw new AssetRefusedError(`This is ${what}, not a music track. Upload an audio file: ${limits.formats}.`)
    const extension = musicContainer(output.format.format_name)
    if (!extension) throw new AssetRefusedError(`This audio is in ${output.format.format_name} format, which the Studio does not take. Convert it to ${limits.formats}.`)
    const seconds = Number(output.format.duration ?? 0)
    if (!(seconds >= 0.5)) throw new AssetRefusedError('This track has no playable length. Export it again and upload the new file.')
    if (seconds > studioAssetLimits.music.maxSeconds) {
      throw new AssetRefusedError(`This track is ${formatDurationOver(seconds, studioAssetLimits.music.maxSeconds)} long; the Studio takes tracks up to ${formatDuration(studioAssetLimits.music.maxSeconds)}. Trim it first.`)
    }
    return { extension, durationMs: Math.round(seconds * 1000), width: null, height: null }
  }
  const image = output.streams.find(stream => stream.codec_type === 'video')
  const extension = image?.codec_name ? imageCodecs[image.codec_name] : undefined
  const isPicture = /_pipe$|^image2$/.test(output.format.format_name)
  if (!image || !extension || !isPicture || output.streams.some(stream => stream.codec_type === 'audio')) {
    throw new AssetRefusedError(`This is ${what}, not a logo image. Upload ${limits.formats}.`)
  }
  const width = image.width ?? 0
  const height = image.height ?? 0
  if (width < 1 || height < 1) throw new AssetRefusedError('This image has no size that could be read. Export it again and upload the new file.')
  if (width > studioAssetLimits.logo.maxPixels || height > studioAssetLimits.logo.maxPixels) {
    throw new AssetRefusedError(`This logo is ${width}×${height} px; the Studio takes up to ${studioAssetLimits.logo.maxPixels} px on each side. Scale it down first.`)
  }
  return { extension, durationMs: null, width, height }
}

/** Probes `path` and decodes a little of it, so a file that only looks right is refused too. */
export async function inspectAsset(tools: Pick<MediaTools, 'ffmpeg' | 'ffprobe'>, kind: StudioAssetKind, path: string): Promise<AssetFacts> {
  const noun = kind === 'music' ? 'a music track' : 'a logo'
  let json: unknown
  try {
    const { stdout } = await run(tools.ffprobe, ['-v', 'error', ...guardInput('assetProbe'), '-print_format', 'json', '-show_format', '-show_streams', path], { timeout: 30_000, maxBuffer: 4 * 1024 * 1024 })
    json = JSON.parse(stdout)
  }
  catch {
    throw new AssetRefusedError(`This file is damaged or is not ${noun}: ffprobe could not read it. Upload ${studioAssetLimits[kind].formats}.`)
  }
  const facts = interpretAsset(kind, json)
  const decode = kind === 'music' ? ['-map', '0:a:0', '-t', '2'] : ['-map', '0:v:0', '-frames:v', '1']
  const decoded = await runMediaTool(tools.ffmpeg, ['-v', 'error', '-xerror', '-nostdin', ...guardInput(kind), '-i', path, ...decode, '-f', 'null', '-']).then(() => true, () => false)
  if (!decoded) throw new AssetRefusedError(`This ${kind === 'music' ? 'track' : 'image'} is damaged: it does not decode. Export it again and upload the new file.`)
  return facts
}

function nameFrom(filename: string | undefined, kind: StudioAssetKind): string {
  const base = (filename ?? '').replace(/\.[a-z0-9]{1,5}$/i, '').replace(/[_-]+/g, ' ').trim().slice(0, 120)
  return base || (kind === 'music' ? 'Music track' : 'Logo')
}

export interface AssetDependencies {
  db: PrismaClient
  store: MediaStore
}

type AssetRow = { id: string, kind: StudioAssetKind, name: string, storageKey: string, sizeBytes: bigint, durationMs: number | null, width: number | null, height: number | null, createdAt: Date }

async function summarise(store: MediaStore, row: AssetRow): Promise<StudioAssetSummary> {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    sizeBytes: Number(row.sizeBytes),
    durationMs: row.durationMs,
    width: row.width,
    height: row.height,
    url: await store.signedUrl(row.storageKey, { expiresInSeconds: MEDIA_URL_SECONDS }),
    createdAt: row.createdAt.toISOString(),
  }
}

/** The bytes of an asset upload as they arrive, with the size the client declared. */
export interface AssetUploadBody {
  stream: Readable
  sizeBytes: number
}

function tooBig(kind: StudioAssetKind, sizeBytes: number): AssetRefusedError {
  const limit = studioAssetLimits[kind].maxBytes
  return new AssetRefusedError(`This file is ${formatBytes(sizeBytes)}; ${kind === 'music' ? 'music tracks' : 'logos'} may be up to ${formatBytes(limit)}. ${kind === 'music' ? 'Export it at a lower bitrate or trim it' : 'Export it smaller'} first.`, 413)
}

/** Writes the body to `path` as it arrives (never whole in memory), refusing more bytes than were declared. */
async function stageBody(body: AssetUploadBody, path: string): Promise<void> {
  let received = 0
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length
      done(received > body.sizeBytes ? new AssetRefusedError('The file sent is longer than its declared size (Content-Length). Upload it again.', 400) : null, chunk)
    },
  })
  try {
    await pipeline(body.stream, counting, createWriteStream(path))
  }
  catch (error) {
    if (error instanceof AssetRefusedError) throw error
    throw new AssetRefusedError('The upload was cut off before the whole file arrived. Upload it again.', 400)
  }
  if (received !== body.sizeBytes) throw new AssetRefusedError('The upload was cut off before the whole file arrived. Upload it again.', 400)
}

/** Checks, stores and records one uploaded file, streamed to disk; nothing is kept when it is refused. */
export async function uploadStudioAsset(deps: AssetDependencies & { tools: MediaTools, scratchDir: string, workspaceQuotaBytes: number }, input: {
  workspaceId: string
  userId: string
  kind: StudioAssetKind
  name?: string
  filename?: string
  body: AssetUploadBody
}): Promise<StudioAssetSummary> {
  const { kind, workspaceId } = input
  const { sizeBytes } = input.body
  if (sizeBytes === 0) throw new AssetRefusedError('This file is empty (0 bytes). Pick the file again.', 400)
  if (sizeBytes > studioAssetLimits[kind].maxBytes) throw tooBig(kind, sizeBytes)
  // Refused before a byte is read when the quota is already short; checked again under the lock below.
  const early = quotaRefusal(sizeBytes, await workspaceUsedBytes(deps.db, workspaceId), deps.workspaceQuotaBytes)
  if (early) throw new AssetRefusedError(early, 413)
  await mkdir(deps.scratchDir, { recursive: true })
  const id = uuidv7()
  const staged = join(deps.scratchDir, `asset-${id}`)
  let storageKey: string | undefined
  try {
    await stageBody(input.body, staged)
    const facts = await inspectAsset(deps.tools, kind, staged)
    storageKey = studioAssetKey(workspaceId, id, facts.extension)
    const contentType = assetContentTypes[facts.extension]!
    await deps.store.putFile(storageKey, staged, { contentType })
    const row = await deps.db.$transaction(async (tx) => {
      await lockWorkspaceQuota(tx, workspaceId)
      const refusal = quotaRefusal(sizeBytes, await workspaceUsedBytes(tx, workspaceId), deps.workspaceQuotaBytes)
      if (refusal) throw new AssetRefusedError(refusal, 413)
      return tx.studioAsset.create({
        data: {
          id, workspaceId, createdById: input.userId, kind, name: input.name ?? nameFrom(input.filename, kind),
          storageKey: storageKey!, mimeType: contentType, sizeBytes: BigInt(sizeBytes), durationMs: facts.durationMs, width: facts.width, height: facts.height,
        },
      })
    })
    return await summarise(deps.store, row)
  }
  catch (error) {
    if (storageKey) await deps.store.delete(storageKey).catch(() => {})
    throw error
  }
  finally {
    await rm(staged, { force: true })
  }
}

export async function listStudioAssets(deps: AssetDependencies, workspaceId: string, filter: { kind?: StudioAssetKind } = {}): Promise<StudioAssetSummary[]> {
  const rows = await deps.db.studioAsset.findMany({ where: { workspaceId, kind: filter.kind }, orderBy: { createdAt: 'desc' }, take: 500 })
  return Promise.all(rows.map(row => summarise(deps.store, row)))
}

/**
 * Deletes an asset and its file. Refused while a waiting or running render uses it (the render would fail);
 * finished renders have the music or logo burned in and do not need it any more.
 */
export async function deleteStudioAsset(deps: AssetDependencies, workspaceId: string, assetId: string): Promise<{ ok: true }> {
  const { db } = deps
  const asset = await db.studioAsset.findFirst({ where: { id: assetId, workspaceId } })
  if (!asset) throw notFound('This asset')
  const active = await db.render.findMany({ where: { workspaceId, status: { in: ['queued', 'running'] } }, select: { params: true } })
  const using = active.filter(({ params }) => {
    const recipe = (params as { recipe?: { music?: { assetId?: string } | null, watermark?: { assetId?: string } | null } } | null)?.recipe
    return recipe?.music?.assetId === asset.id || recipe?.watermark?.assetId === asset.id
  }).length
  if (using > 0) {
    throw conflict(`This ${asset.kind === 'music' ? 'music track' : 'logo'} is used by ${using === 1 ? 'a render' : `${using} renders`} still in progress. Wait for ${using === 1 ? 'it' : 'them'} to finish, or cancel ${using === 1 ? 'it' : 'them'}, then delete it.`)
  }
  await db.studioAsset.delete({ where: { id: asset.id } })
  await deps.store.delete(asset.storageKey)
  return { ok: true }
}
