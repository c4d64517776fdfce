import { join } from 'node:path'
import type { AiContext } from '../services/ai/generate'
import { mediaReaderFromStore } from '../services/ai/providers/gemini'

/** What generate() needs in the app: the database, the AI environment, the box that decrypts saved AI keys, and media. */
export function useAi(): AiContext {
  const config = useServerConfig()
  return {
    db: useDb(),
    ai: config.ai,
    secrets: useSecretBox(),
    // Local disk is read in place; an S3 object is downloaded next to the uploads' staging area and removed after.
    readMedia: mediaReaderFromStore(useMediaStore(), join(config.uploads.stagingDir, 'ai-media')),
  }
}
