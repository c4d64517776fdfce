// Every five minutes in the worker role: enqueue posts.sweep (due posts, processing checks, silent publishes).
export default defineTask({
  meta: { name: 'posts:sweep', description: 'Enqueue posts.sweep' },
  run: () => enqueueSweep('posts.sweep', 4 * 60),
})
