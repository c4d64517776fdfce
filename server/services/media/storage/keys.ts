// Storage keys are made here, from ids the server generated, so no user-supplied path reaches a disk or a bucket.
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const safeKey = /^ws\/[0-9a-f-]{36}\/[a-z0-9][a-z0-9._/-]*$/
const workspaceFolder = /^ws\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/$/
const safeName = /^[a-z0-9][a-z0-9._-]{0,63}$/

function requireUuid(value: string, what: string): string {
  if (!uuid.test(value)) throw new Error(`${what} must be a lower-case uuid, got ${JSON.stringify(value)}`)
  return value
}

/** Everything one workspace stores. */
export function workspacePrefix(workspaceId: string): string {
  return `ws/${requireUuid(workspaceId, 'workspaceId')}/`
}

/** The folder that holds everything of one video: its source file and the analysis artifacts. */
export function videoPrefix(workspaceId: string, videoId: string): string {
  return `ws/${requireUuid(workspaceId, 'workspaceId')}/videos/${requireUuid(videoId, 'videoId')}/`
}

/** The uploaded file itself; the extension comes from what ffprobe found, not from the user's file name. */
export function videoSourceKey(workspaceId: string, videoId: string, extension: string): string {
  return `${videoPrefix(workspaceId, videoId)}source.${safeArtifactName(extension)}`
}

/** The folder of one analysis's pictures. */
export function analysisPrefix(workspaceId: string, videoId: string, analysisId: string): string {
  return `${videoPrefix(workspaceId, videoId)}analysis/${requireUuid(analysisId, 'analysisId')}/`
}

/** An artifact of an analysis (thumbnail, contact sheet, shot keyframes). */
export function analysisArtifactKey(workspaceId: string, videoId: string, analysisId: string, name: string): string {
  return `${analysisPrefix(workspaceId, videoId, analysisId)}${safeArtifactName(name)}`
}

/** The folder of one render (a variant): its file, preview and thumbnail. */
export function renderPrefix(workspaceId: string, renderId: string): string {
  return `ws/${requireUuid(workspaceId, 'workspaceId')}/renders/${requireUuid(renderId, 'renderId')}/`
}

/** A file of a render: `output.mp4`, `preview.mp4`, `thumbnail.jpg`. */
export function renderFileKey(workspaceId: string, renderId: string, name: string): string {
  return `${renderPrefix(workspaceId, renderId)}${safeArtifactName(name)}`
}

/** A Studio asset (music track or logo); the extension comes from what ffprobe found. */
export function studioAssetKey(workspaceId: string, assetId: string, extension: string): string {
  return `ws/${requireUuid(workspaceId, 'workspaceId')}/assets/${requireUuid(assetId, 'assetId')}.${safeArtifactName(extension)}`
}

function safeArtifactName(name: string): string {
  if (!safeName.test(name) || name.includes('..')) throw new Error(`unsafe media file name ${JSON.stringify(name)}`)
  return name
}

/** True for keys this module could have made: the check every driver runs before touching disk or bucket. */
export function isSafeKey(key: string): boolean {
  return safeKey.test(key) && !key.includes('..') && !key.includes('//')
}

export function assertSafeKey(key: string): string {
  if (!isSafeKey(key)) throw new Error(`refusing unsafe media key ${JSON.stringify(key)}`)
  return key
}

/** The root of every workspace's media: what the storage sweep lists. */
export const MEDIA_ROOT_PREFIX = 'ws/'

/** A prefix `list` accepts: the media root, or a folder inside it. */
export function assertListablePrefix(prefix: string): string {
  return prefix === MEDIA_ROOT_PREFIX || workspaceFolder.test(prefix) ? prefix : assertSafePrefix(prefix)
}

export function assertSafePrefix(prefix: string): string {
  if (!prefix.endsWith('/') || !isSafeKey(prefix.slice(0, -1))) throw new Error(`refusing unsafe media prefix ${JSON.stringify(prefix)}`)
  return prefix
}
