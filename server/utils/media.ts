import type { MediaTools } from '../services/media/ffmpeg'
import { locateMediaTools } from '../services/media/ffmpeg'
import { createMediaStore } from '../services/media/storage'
import type { MediaStore } from '../services/media/storage/types'

let store: MediaStore | undefined
let tools: Promise<MediaTools> | undefined

/** This process's media storage (local disk or S3), made once from the configuration. */
export function useMediaStore(): MediaStore {
  store ??= createMediaStore(useServerConfig())
  return store
}

/** ffmpeg and ffprobe, found once; a failed search is retried on the next call. */
export function useMediaTools(): Promise<MediaTools> {
  tools ??= locateMediaTools(useServerConfig().ffmpeg).catch((error) => {
    tools = undefined
    throw error
  })
  return tools
}
