// A refusal from a rate limit (429 with data.retryAfterSeconds) tells clients and proxies when to come back.
// Nitro runs error hooks before its error handler writes the response, so the header goes out with it.
export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('error', (error, { event }) => {
    const refusal = error as { statusCode?: number, data?: { retryAfterSeconds?: unknown } }
    const seconds = refusal.data?.retryAfterSeconds
    if (event && refusal.statusCode === 429 && typeof seconds === 'number' && !event.node.res.headersSent) {
      setResponseHeader(event, 'retry-after', Math.ceil(seconds))
    }
  })
})
