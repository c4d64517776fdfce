import { randomBytes } from 'node:crypto'

const staticHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
}

// Where signed media URLs point: the app itself for local disk, or the bucket's host for S3-compatible storage.
function mediaOrigins(storage: ReturnType<typeof useServerConfig>['storage']): string[] {
  const s3 = storage.s3
  if (!s3) return []
  if (s3.endpoint) {
    const endpoint = new URL(s3.endpoint)
    return s3.forcePathStyle ? [endpoint.origin] : [endpoint.origin, `${endpoint.protocol}//${s3.bucket}.${endpoint.host}`]
  }
  const region = s3.region ?? 'us-east-1'
  return [`https://${s3.bucket}.s3.${region}.amazonaws.com`, `https://${s3.bucket}.s3.amazonaws.com`]
}

function contentSecurityPolicy(nonce: string, media: string[]): string {
  const mediaSources = media.length > 0 ? ` ${media.join(' ')}` : ''
  return [
    `default-src 'self'`,
    // Nuxt's hydration script is inline, so it carries this response's nonce; nothing else inline may run.
    `script-src 'self' 'nonce-${nonce}'`,
    // Vue and @nuxt/ui set inline styles.
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:${mediaSources}`,
    `media-src 'self' blob:${mediaSources}`,
    `font-src 'self' data:`,
    `connect-src 'self'`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ')
}

// Security headers on every response, and a nonce-based CSP on every page. Dev skips the CSP: Vite's client injects inline code.
export default defineNitroPlugin((nitroApp) => {
  const { production, storage } = useServerConfig()
  const media = mediaOrigins(storage)
  nitroApp.hooks.hook('request', (event) => {
    setResponseHeaders(event, production ? { ...staticHeaders, 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : staticHeaders)
  })
  if (import.meta.dev) return
  nitroApp.hooks.hook('render:html', (html, { event }) => {
    const nonce = randomBytes(16).toString('base64')
    const addNonce = (part: string) => part.replace(/<script(?=[\s>])/g, `<script nonce="${nonce}"`)
    html.head = html.head.map(addNonce)
    html.bodyPrepend = html.bodyPrepend.map(addNonce)
    html.body = html.body.map(addNonce)
    html.bodyAppend = html.bodyAppend.map(addNonce)
    setResponseHeader(event, 'Content-Security-Policy', contentSecurityPolicy(nonce, media))
  })
})
