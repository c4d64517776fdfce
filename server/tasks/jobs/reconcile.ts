// Every 5 minutes in the worker role: enqueue the reconciliation of jobs stuck past their expiry.
export default defineTask({
  meta: { name: 'jobs:reconcile', description: 'Enqueue jobs.reconcile' },
  run: () => enqueueSweep('jobs.reconcile', 4 * 60),
})
