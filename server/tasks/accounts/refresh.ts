// Every 5 minutes in the worker role: enqueue the token refresh sweep (accounts whose token expires soon).
export default defineTask({
  meta: { name: 'accounts:refresh', description: 'Enqueue accounts.refresh' },
  run: () => enqueueSweep('accounts.refresh', 4 * 60),
})
