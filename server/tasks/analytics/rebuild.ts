// Daily in the worker role: enqueue analytics.rebuild (every workspace's outcomes and pattern sums, from the snapshots).
export default defineTask({
  meta: { name: 'analytics:rebuild', description: 'Enqueue analytics.rebuild' },
  run: () => enqueueSweep('analytics.rebuild', 20 * 60 * 60),
})
