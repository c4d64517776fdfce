// Hourly in the worker role: enqueue the cleanup. The sweep only enqueues; the queue's worker does the work.
export default defineTask({
  meta: { name: 'maintenance:cleanup', description: 'Enqueue maintenance.cleanup' },
  run: () => enqueueSweep('maintenance.cleanup', 55 * 60),
})
