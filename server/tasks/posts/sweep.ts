// Every minute in the worker role: enqueue posts.sweep (posts due in the next minutes, processing checks, silent
// publishes, and the notifications of posts that finished).
export default defineTask({
  meta: { name: 'posts:sweep', description: 'Enqueue posts.sweep' },
  run: () => enqueueSweep('posts.sweep', 50),
})
