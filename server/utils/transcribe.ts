import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { TranscribeMethod } from '#shared/transcript'
import { planTranscription, type TranscribeDependencies, type TranscribeRequestData } from '../services/ai/transcribe'

/** What transcribeVideo needs in the app: the database, the store, ffmpeg, scratch space and the AI settings. */
export async function useTranscribeDependencies(): Promise<TranscribeDependencies> {
  const config = useServerConfig()
  return {
    db: useDb(), store: useMediaStore(), tools: await useMediaTools(), scratchDir: join(config.dataDir, 'tmp'),
    ai: config.ai, secrets: useSecretBox(),
  }
}

/** Checks what the transcription needs (refusing at once with the reason), then queues ai.transcribe; returns its job id. */
export async function queueTranscription(data: TranscribeRequestData): Promise<{ jobId: string, method: TranscribeMethod }> {
  const plan = await planTranscription(await useTranscribeDependencies(), data)
  const jobId = randomUUID()
  // The job runs the method decided here, so what the page announced is what runs.
  await (await useJobs()).send('ai.transcribe', { ...data, method: plan.method }, { id: jobId })
  return { jobId, method: plan.method }
}
