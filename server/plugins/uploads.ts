// Unfinished uploads live on the disk of the machine that serves the page (web or all), so that machine
// sweeps them: every hour, uploads untouched for a day lose their staged bytes and their reservation.
const SWEEP_EVERY_MS = 60 * 60 * 1000

export default defineNitroPlugin(() => {
  if (process.argv.includes('--migrate-only')) return
  // With REDIS_URL the upload lock and info cache hold connections open; they would keep the process alive.
  beforeDatabaseCloses(closeUploads)
  if (useServerConfig().role === 'worker') return
  const sweep = async () => {
    await databaseReady()
    const removed = await useUploads().removeExpired()
    if (removed > 0) console.info(`[library] removed ${removed} unfinished upload(s) older than a day`)
  }
  // tus throws { status_code, body } objects as well as Errors.
  const reason = (error: unknown) => (error as Error).message ?? (error as { body?: string }).body ?? String(error)
  const timer = setInterval(() => void sweep().catch(error => console.error(`[library] upload sweep failed: ${reason(error)}`)), SWEEP_EVERY_MS)
  timer.unref()
  beforeDatabaseCloses(async () => clearInterval(timer))
})
