// What a creator sees of an attempt: each call to the platform with its answer, tokens and codes taken out. The
// connectors call through this fetch, so nothing of the platform's reply is lost and nothing secret is kept.
const SECRET_KEY = /token|secret|code_verifier|^code$|authorization|signature|password|client_key/i
const SECRET_TEXT = /((?:access_token|refresh_token|client_secret|code|fb_exchange_token)=)[^&\s"]+/gi
const MAX_BODY_CHARS = 2000
const MAX_EXCHANGES = 40

export interface RecordedExchange {
  method: string
  url: string
  status: number | null
  body?: unknown
  error?: string
}

/** A copy with every secret-looking key's value replaced, at any depth. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_TEXT, '$1[redacted]')
  if (depth > 8 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.slice(0, 50).map(item => redact(item, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? '[redacted]' : redact(item, depth + 1)]))
}

function redactUrl(raw: string): string {
  try {
    const url = new URL(raw)
    for (const key of [...url.searchParams.keys()]) if (SECRET_KEY.test(key)) url.searchParams.set(key, '[redacted]')
    // An upload session URI carries its own credential in the query: keep only where it went.
    if (url.searchParams.has('upload_id')) url.search = '?upload_id=[redacted]'
    return url.toString()
  }
  catch {
    return '[unreadable URL]'
  }
}

/** A fetch that records each exchange (redacted) into `into`, then answers as the real one. */
export function recordingFetch(into: RecordedExchange[], base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET')
    const entry: RecordedExchange = { method, url: redactUrl(url), status: null }
    if (into.length < MAX_EXCHANGES) into.push(entry)
    try {
      const response = await base(input, init)
      entry.status = response.status
      const type = response.headers.get('content-type') ?? ''
      if (type.includes('json')) {
        const text = await response.clone().text().catch(() => '')
        try {
          entry.body = redact(JSON.parse(text))
        }
        catch {
          entry.body = redact(text.slice(0, MAX_BODY_CHARS))
        }
        if (JSON.stringify(entry.body).length > MAX_BODY_CHARS) entry.body = `${JSON.stringify(entry.body).slice(0, MAX_BODY_CHARS)}…`
      }
      return response
    }
    catch (error) {
      entry.error = redact((error as Error).message) as string
      throw error
    }
  }
}
