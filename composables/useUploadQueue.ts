import type { DetailedError, Upload } from 'tus-js-client'
import type { VideoKind } from '#shared/library'
import { formatBytes } from '#shared/library'

export type UploadState = 'waiting' | 'uploading' | 'paused' | 'checking' | 'done' | 'failed' | 'canceled'

export interface UploadItem {
  id: number
  name: string
  kind: VideoKind
  totalBytes: number
  sentBytes: number
  bytesPerSecond: number
  state: UploadState
  resumed: boolean
  /** The server has created (or found) the upload; before that a pause or cancel could leave a stray reservation. */
  connected: boolean
  error?: string
  videoId?: string
}

export interface UploadLimits { usedBytes: number, quotaBytes: number, maxUploadBytes: number }

interface QueueOptions {
  workspaceId: () => string | undefined
  limits: () => UploadLimits | undefined
  /** The server has reserved the upload (the list now shows it). */
  onStarted?: () => void
  /** An upload ended (stored or canceled); awaited, so the next file sees fresh storage use. */
  onFinished?: () => unknown
}

// Small enough that a dropped connection loses at most one chunk.
const CHUNK_BYTES = 8 * 1024 * 1024
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000]

function messageOf(error: Error | DetailedError): string {
  const response = 'originalResponse' in error ? error.originalResponse : null
  const status = response?.getStatus() ?? 0
  const body = response?.getBody()?.trim()
  // tus refusals carry a sentence for the user; routes in front of tus answer h3's JSON.
  if (status >= 400 && status < 500 && body) {
    if (!body.startsWith('{')) return body
    try {
      const parsed = JSON.parse(body) as { statusMessage?: string, message?: string }
      return parsed.statusMessage ?? parsed.message ?? body
    }
    catch {
      return body
    }
  }
  if (status >= 500) return `The server could not take the upload (error ${status}). Try again in a moment: dropping the same file again resumes where it stopped.`
  if (!navigator.onLine) return 'You are offline. Drop the same file again when you are back online; it resumes where it stopped.'
  return 'The connection kept failing, so the upload stopped. Drop the same file again to resume where it stopped.'
}

/** Resumable uploads over tus, one file after another, with progress, speed, pause, resume and cancel. */
export function useUploadQueue(options: QueueOptions) {
  const items = ref<UploadItem[]>([])
  // Outcomes are announced to screen readers as well as shown in each row.
  const announcer = useAnnouncer()
  const files = new Map<number, File>()
  const active = new Map<number, { upload: Upload, settle: (outcome: UploadState) => void }>()
  const samples = new Map<number, { time: number, bytes: number }[]>()
  let nextId = 1
  let pumping = false

  function refuse(file: File, limits: UploadLimits | undefined): string | undefined {
    if (file.size === 0) return `${file.name} is empty (0 bytes). Pick the video file again.`
    if (limits && file.size > limits.maxUploadBytes) return `${file.name} is ${formatBytes(file.size)}; the largest upload allowed is ${formatBytes(limits.maxUploadBytes)}.`
  }

  function overQuota(file: File, limits: UploadLimits | undefined): string | undefined {
    if (!limits || limits.usedBytes + file.size <= limits.quotaBytes) return
    return `${file.name} (${formatBytes(file.size)}) does not fit: the workspace uses ${formatBytes(limits.usedBytes)} of its ${formatBytes(limits.quotaBytes)}. Delete videos you no longer need, or ask the owner to raise the quota.`
  }

  function track(item: UploadItem, sent: number, total: number) {
    const now = performance.now()
    // Speed over the last five seconds: steady enough to read, quick to follow a change.
    const recent = (samples.get(item.id) ?? []).filter(sample => now - sample.time < 5000)
    recent.push({ time: now, bytes: sent })
    samples.set(item.id, recent)
    const oldest = recent[0]!
    if (now - oldest.time >= 500) item.bytesPerSecond = (sent - oldest.bytes) / ((now - oldest.time) / 1000)
    item.sentBytes = sent
    item.totalBytes = total
    // The last byte is in; the server now checks the file with ffprobe and stores it.
    if (sent === total && item.state === 'uploading') item.state = 'checking'
  }

  async function run(item: UploadItem) {
    const file = files.get(item.id)!
    const { Upload } = await import('tus-js-client')
    let settle: (outcome: UploadState) => void = () => {}
    const settled = new Promise<UploadState>((resolve) => {
      settle = resolve
    })
    const upload = new Upload(file, {
      endpoint: `/api/workspaces/${options.workspaceId()}/uploads`,
      chunkSize: CHUNK_BYTES,
      retryDelays: RETRY_DELAYS,
      metadata: { filename: file.name, kind: item.kind },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onUploadUrlAvailable: () => {
        item.connected = true
        options.onStarted?.()
      },
      onProgress: (sent, total) => track(item, sent, total),
      onSuccess: ({ lastResponse }) => {
        Object.assign(item, { state: 'done', sentBytes: item.totalBytes, videoId: lastResponse.getHeader('Reelwise-Video-Id') })
        announcer.polite(`${file.name} is uploaded; its analysis starts next.`)
        settle('done')
      },
      onError: (error) => {
        Object.assign(item, { state: 'failed', error: messageOf(error) })
        announcer.assertive(`The upload of ${file.name} failed: ${item.error}`)
        settle('failed')
      },
    })
    const previous = (await upload.findPreviousUploads())[0]
    // Canceled while the browser looked for an earlier attempt.
    if (item.state !== 'waiting') {
      files.delete(item.id)
      return
    }
    if (previous) {
      upload.resumeFromPreviousUpload(previous)
      item.resumed = true
    }
    else {
      const refusal = overQuota(file, options.limits())
      if (refusal) {
        Object.assign(item, { state: 'failed', error: refusal })
        announcer.assertive(`${file.name} was not uploaded: ${refusal}`)
        files.delete(item.id)
        return
      }
    }
    active.set(item.id, { upload, settle })
    item.state = 'uploading'
    upload.start()
    const outcome = await settled
    active.delete(item.id)
    files.delete(item.id)
    if (outcome !== 'failed') await options.onFinished?.()
  }

  async function pump() {
    if (pumping) return
    pumping = true
    try {
      for (let item = items.value.find(each => each.state === 'waiting'); item; item = items.value.find(each => each.state === 'waiting')) await run(item)
    }
    finally {
      pumping = false
    }
  }

  function add(picked: File[], kind: VideoKind) {
    for (const file of picked) {
      const error = refuse(file, options.limits())
      const item = reactive<UploadItem>({ id: nextId++, name: file.name, kind, totalBytes: file.size, sentBytes: 0, bytesPerSecond: 0, state: error ? 'failed' : 'waiting', resumed: false, connected: false, error })
      items.value.push(item)
      if (error) announcer.assertive(`${file.name} was not uploaded: ${error}`)
      else files.set(item.id, file)
    }
    void pump()
  }

  function pause(item: UploadItem) {
    void active.get(item.id)?.upload.abort(false)
    Object.assign(item, { state: 'paused', bytesPerSecond: 0 })
  }

  function resume(item: UploadItem) {
    samples.delete(item.id)
    item.state = 'uploading'
    active.get(item.id)?.upload.start()
  }

  async function cancel(item: UploadItem) {
    const running = active.get(item.id)
    item.state = 'canceled'
    // Terminating frees the server's reservation and staged bytes at once.
    await running?.upload.abort(true).catch(() => {})
    running?.settle('canceled')
  }

  function dismiss(item: UploadItem) {
    items.value = items.value.filter(each => each.id !== item.id)
  }

  // Leaving the page pauses uploads; dropping the same files again resumes them.
  onBeforeUnmount(() => {
    for (const { upload } of active.values()) void upload.abort(false)
  })

  return { items, add, pause, resume, cancel, dismiss }
}
