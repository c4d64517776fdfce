// Daily in the worker role: enqueue the storage sweep (orphaned bytes, unrecorded uploads, renders left running).
export default defineTask({
  meta: { name: 'storage:sweep', description: 'Enqueue storage.sweep' },
  run: () => enqueueSweep('storage.sweep', 23 * 60 * 60),
})
