import type { Job } from 'pg-boss'
import { join } from 'node:path'
import { transcribeVideo, type TranscribeDependencies } from '../services/ai/transcribe'
import { ServiceError } from '../services/errors'
import type { JobContext, JobHandler } from '../services/jobs/engine'
import { withoutRetry } from '../services/jobs/permanent'
import { queues } from '../services/jobs/registry'
import { recordJobResult } from '../services/jobs/tracker'
import { failureWithDetail } from '../services/media/failure'

/**
 * Transcribes one footage for the Studio's captions (server/services/ai/transcribe.ts). A problem the person can fix
 * (no key, no script, no speech, the budget) fails at once in their words; anything else is retried once.
 */
export function aiTranscribeHandler(dependencies: () => Promise<TranscribeDependencies>): JobHandler<unknown> {
  return async (job: Job<unknown>, context: JobContext) => {
    const data = queues['ai.transcribe'].payload.parse(job.data)
    const deps = await dependencies()
    try {
      const transcript = await transcribeVideo(deps, data, {
        signal: context.signal,
        onProgress: (stage, fraction) => void context.progress(stage, Math.round(fraction * 100)),
      })
      const how = transcript.cacheHit ? 'the stored transcript (no new call)' : `${transcript.provider} ${transcript.model}`
      await recordJobResult(deps.db, job.id, { summary: `${transcript.words.length} words from ${how}${transcript.approximate ? ', approximate times' : ''}` })
      return { transcriptId: transcript.id, cacheHit: transcript.cacheHit }
    }
    catch (error) {
      // Transient provider trouble (429, 5xx, a time-out) is worth the one retry; the rest says what to do now.
      const transient = (error as { transient?: boolean }).transient === true
      if (error instanceof ServiceError && !transient) throw withoutRetry(error)
      if (error instanceof ServiceError) throw error
      throw failureWithDetail('The transcription could not be made. Try again; if it keeps failing, an admin can see why on the Jobs page.', error)
    }
  }
}

export default aiTranscribeHandler(async () => {
  const config = useServerConfig()
  return {
    db: useDb(), store: useMediaStore(), tools: await useMediaTools(), scratchDir: join(config.dataDir, 'tmp'),
    ai: config.ai, secrets: useSecretBox(),
  }
})
