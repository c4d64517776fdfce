import { needsRotation } from '../services/security/rotate'

// When a worker starts and some stored secret is not under the newest of ENCRYPTION_KEYS (a new key was put first),
// it queues secrets.rotate once (a singleton key, so several workers starting together queue one job).
export default defineNitroPlugin(() => {
  if (process.argv.includes('--migrate-only') || useServerConfig().role === 'web') return
  queueRotationIfNeeded().catch((error: Error) => {
    console.error(`[secrets] could not check whether stored secrets need re-encrypting: ${error.message}`)
  })
})

async function queueRotationIfNeeded(): Promise<void> {
  const { prisma } = await databaseReady()
  if (!await needsRotation(prisma, useSecretBox())) return
  // server/plugins/jobs.ts set the engine up as this plugin ran; it is started once the database answers.
  const id = await (await useJobs()).send('secrets.rotate', {}, { singletonKey: 'secrets.rotate', singletonSeconds: 60 * 60 })
  console.info(`[secrets] stored secrets under an older key: ${id ? `queued secrets.rotate ${id}` : 'secrets.rotate is already queued'}`)
}
