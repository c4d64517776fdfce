// Every 5 minutes in the worker role: enqueue metrics.sweep (published posts due a metrics pull, accounts due their
// daily follower count). Not every minute: the earliest pull is an hour after publishing.
export default defineTask({
  meta: { name: 'metrics:sweep', description: 'Enqueue metrics.sweep' },
  run: () => enqueueSweep('metrics.sweep', 4 * 60),
})
