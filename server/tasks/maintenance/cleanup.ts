// A Nitro scheduled sweep (hourly, worker role only): it enqueues the cleanup and does no work itself.
// The singleton key keeps N workers from enqueuing it N times.
export default defineTask({
  meta: { name: 'maintenance:cleanup', description: 'Enqueue maintenance.cleanup' },
  async run() {
    if (useServerConfig().role === 'web') return { result: 'skipped: web role' }
    const jobs = await useJobs()
    const id = await jobs.send('maintenance.cleanup', {}, { singletonKey: 'maintenance.cleanup', singletonSeconds: 55 * 60 })
    return { result: id ? `enqueued ${id}` : 'already enqueued this hour' }
  },
})
