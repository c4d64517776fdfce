// Refuses state-changing API requests that a browser sent from another site (CSRF). Browsers always send
// Origin (and Sec-Fetch-Site) on such requests; clients without them, like scripts and the CLI, cannot carry a victim's cookies.
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export default defineEventHandler((event) => {
  if (!unsafeMethods.has(event.method) || !event.path.startsWith('/api/')) return
  const refused = () => createError({ status: 403, statusText: 'This request came from another site and was refused. Use Reelwise from its own address.' })
  if (getRequestHeader(event, 'sec-fetch-site') === 'cross-site') throw refused()
  const origin = getRequestHeader(event, 'origin')
  if (!origin) return
  const config = useServerConfig()
  const host = getRequestHost(event, { xForwardedHost: config.trustProxy })
  let originHost: string
  try {
    originHost = new URL(origin).host
  }
  catch {
    throw refused()
  }
  if (originHost !== host && origin !== new URL(config.appUrl).origin) throw refused()
})
