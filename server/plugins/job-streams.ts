// On SIGTERM (or SIGINT) the job progress streams end at once with a reconnect hint, before Nitro waits for open
// connections to drain: otherwise each one would hold the shutdown for Nitro's whole drain time (30 s).
let listening = false

export default defineNitroPlugin(() => {
  if (listening || process.argv.includes('--migrate-only') || useServerConfig().role === 'worker') return
  listening = true
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, endJobStreams)
})
