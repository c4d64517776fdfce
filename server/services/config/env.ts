// The one place that reads environment variables. Everything is validated here, so a bad value stops boot
// with a message that names the variable and says what it should be.
import { resolve } from 'node:path'
import { z } from 'zod'
import { platforms, type PlatformKey } from '../../../shared/platforms/keys'
import { keyIdOf } from '../security/secrets'

// Development-only secrets, so `npm run dev` needs no keys. Production refuses them (see `parseServerConfig`).
export const DEV_SECRET_KEY = 'reelwise-dev-secret-key-not-for-production-use'
export const DEV_ENCRYPTION_KEY = Buffer.alloc(32, 'reelwise-dev').toString('base64')

const optionalText = z.string().trim().min(1).optional()
const booleanFlag = z.enum(['true', 'false', '1', '0']).transform(value => value === 'true' || value === '1')

const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// connection string' })
const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
const smtpUrl = z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465' })
// "hello@example.com" or "Reelwise <hello@example.com>".
const mailSender = z.string().trim().regex(/^([^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an e-mail address, or a name and an address such as Reelwise <hello@example.com>')

// Sizes as bytes or with a binary unit: 2147483648, 2GB, 500MB (1 GB = 1024³ bytes).
const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 }
const byteSize = z.string().trim().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb|tb)?$/i, 'must be a size such as 2147483648, 500MB or 2GB')
  .transform((text) => {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i.exec(text)!
    return Math.floor(Number(amount) * units[(unit ?? 'b').toLowerCase()]!)
  })
// Durations as seconds or with a unit: 1800, 90s, 30m, 1h.
const durationUnits: Record<string, number> = { s: 1, m: 60, h: 3600 }
const duration = z.string().trim().regex(/^\d+(\.\d+)?\s*(s|m|h)?$/i, 'must be a duration such as 1800, 90s, 30m or 1h')
  .transform((text) => {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i.exec(text)!
    return Number(amount) * durationUnits[(unit ?? 's').toLowerCase()]!
  })
  .refine(seconds => seconds > 0, 'must be longer than zero')
// A frame size, width by height: 3840x2160.
const frameSize = z.string().trim().regex(/^[1-9]\d{0,4}\s*x\s*[1-9]\d{0,4}$/i, 'must be a frame size such as 3840x2160')
  .transform((text) => {
    const [width, height] = text.toLowerCase().split('x').map(Number) as [number, number]
    return { width, height }
  })
const decimalNumber = (error: string) => z.coerce.number({ error }).refine(Number.isFinite, error)

// 32 bytes of key material, written as 64 hex characters or as base64.
const isKey = (value: string) => /^[0-9a-f]{64}$/i.test(value) || Buffer.from(value, 'base64').length === 32
const encryptionKey = z.string().trim().refine(isKey, 'must be 32 random bytes, as 64 hex characters or base64 (make one with `openssl rand -base64 32`)')
// Several keys, newest first, for a rotation: new values use the first, older ones still decrypt.
const encryptionKeys = z.string().trim()
  .transform(text => text.split(',').map(key => key.trim()).filter(Boolean))
  .refine(keys => keys.length > 0 && keys.every(isKey), 'must be 32-byte keys (64 hex characters or base64), separated by commas, newest first')
  .refine(keys => !keys.every(isKey) || new Set(keys.map(keyIdOf)).size === keys.length, 'lists the same key twice')

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(1).max(65535).default(3000),
  APP_URL: httpUrl.optional(),
  // Render sets this on web services; APP_URL wins when both are set.
  RENDER_EXTERNAL_URL: httpUrl.optional(),
  APP_ROLE: z.enum(['web', 'worker', 'all'], { error: 'must be web, worker or all' }).default('all'),
  DATA_DIR: z.string().trim().min(1).default('.data'),
  // Behind a proxy (Render, a load balancer), the client's address comes from X-Forwarded-For; elsewhere that header is ignored.
  TRUST_PROXY: booleanFlag.default(false),
  // How many proxies of ours append to X-Forwarded-For (Render: 1). The client is the entry the outermost one appended.
  TRUST_PROXY_HOPS: z.coerce.number({ error: 'must be a whole number of proxies, 1 or more' }).int().min(1).max(10).default(1),

  // A bearer token that reads /health's full report (monitoring); owners and admins of the first workspace read it signed in.
  HEALTH_TOKEN: z.string().trim().min(24, 'must be at least 24 characters (make one with `openssl rand -base64 32`)').optional(),
  // Seconds a job progress stream stays open before the browser is told to reconnect.
  JOB_STREAM_MAX_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int().min(5, 'must be at least 5 seconds').max(3600, 'must be at most 3600 seconds').default(600),

  DATABASE_URL: postgresUrl.optional(),
  MIGRATE_ON_BOOT: booleanFlag.optional(),
  REDIS_URL: redisUrl.optional(),
  // Deployments that share one Redis or database keep their rate-limit counters apart with their own namespace.
  RATE_LIMIT_NAMESPACE: z.string().trim().regex(/^[\w.-]{1,40}$/, 'must be 1 to 40 letters, digits, dots, dashes or underscores').default('reelwise'),

  SECRET_KEY: z.string().min(32, 'must be at least 32 characters (make one with `openssl rand -base64 48`)').optional(),
  ENCRYPTION_KEY: encryptionKey.optional(),
  ENCRYPTION_KEYS: encryptionKeys.optional(),

  // Unset: mail goes to the dev outbox (the log, and Settings for owners) outside production, and nowhere in production.
  SMTP_URL: smtpUrl.optional(),
  MAIL_FROM: mailSender.optional(),

  SUPABASE_URL: httpUrl.optional(),
  SUPABASE_ANON_KEY: optionalText,
  SUPABASE_SERVICE_ROLE_KEY: optionalText,
  SUPABASE_JWT_SECRET: optionalText,

  AI_PROVIDER: z.enum(['local', 'openai', 'gemini', 'grok'], { error: 'must be local, openai, gemini or grok' }).default('local'),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: httpUrl.optional(),
  GEMINI_API_KEY: optionalText,
  GROK_API_KEY: optionalText,

  INSTAGRAM_CLIENT_ID: optionalText,
  INSTAGRAM_CLIENT_SECRET: optionalText,
  FACEBOOK_CLIENT_ID: optionalText,
  FACEBOOK_CLIENT_SECRET: optionalText,
  // TikTok calls its client id the "client key".
  TIKTOK_CLIENT_ID: optionalText,
  TIKTOK_CLIENT_SECRET: optionalText,
  YOUTUBE_CLIENT_ID: optionalText,
  YOUTUBE_CLIENT_SECRET: optionalText,
  // Where a platform's requests go instead of its own hosts: a loopback test double, or a recording proxy. Each of
  // the platform's hosts becomes a path under it (https://oauth2.googleapis.com/token → <base>/oauth2.googleapis.com/token).
  // Leave unset in production.
  INSTAGRAM_BASE_URL: httpUrl.optional(),
  FACEBOOK_BASE_URL: httpUrl.optional(),
  TIKTOK_BASE_URL: httpUrl.optional(),
  YOUTUBE_BASE_URL: httpUrl.optional(),

  FFMPEG_PATH: optionalText,
  FFPROBE_PATH: optionalText,

  STORAGE_DRIVER: z.enum(['local', 's3'], { error: 'must be local or s3' }).default('local'),
  STORAGE_LOCAL_DIR: optionalText,
  STORAGE_S3_BUCKET: optionalText,
  STORAGE_S3_REGION: optionalText,
  STORAGE_S3_ENDPOINT: httpUrl.optional(),
  STORAGE_S3_ACCESS_KEY_ID: optionalText,
  STORAGE_S3_SECRET_ACCESS_KEY: optionalText,
  STORAGE_S3_FORCE_PATH_STYLE: booleanFlag.optional(),

  // Largest single upload, and the bytes each workspace may keep in media storage.
  UPLOAD_MAX_SIZE: byteSize.default(2 * 1024 ** 3),
  WORKSPACE_STORAGE_QUOTA: byteSize.default(25 * 1024 ** 3),
  // Footage the library takes: longest, largest (either orientation) and fastest.
  FOOTAGE_MAX_DURATION: duration.default(30 * 60),
  FOOTAGE_MAX_RESOLUTION: frameSize.default({ width: 3840, height: 2160 }),
  FOOTAGE_MAX_FPS: decimalNumber('must be frames a second, e.g. 120').refine(value => value > 0, 'must be more than zero').default(120),
  // Analysis thresholds (defaults in server/services/media/analysis/thresholds.ts and README.md).
  ANALYSIS_CUT_THRESHOLD: decimalNumber('must be a number from 1 to 100 (scdet scene score)').optional(),
  ANALYSIS_SILENCE_DB: decimalNumber('must be a level in dBFS, e.g. -35').optional(),
  ANALYSIS_SILENCE_MIN_SECONDS: decimalNumber('must be seconds, e.g. 0.3').optional(),
})

type Env = z.infer<typeof envSchema>

/** This app's registration with a platform (its developer console), and where its requests go. */
export interface PlatformAppConfig {
  clientId: string
  clientSecret: string
  /** A stand-in for the platform's hosts (tests), or undefined for the platform itself. */
  baseUrl?: string
}

/** Every variable the app reads, for the README table and the render.yaml check. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape)
type Issue = { variable: string, message: string }

const PLATFORMS = platforms.map(key => key.toUpperCase() as Uppercase<PlatformKey>)

// ENCRYPTION_KEYS wins; ENCRYPTION_KEY alone is a list of one.
function encryptionKeyList(env: Env): string[] {
  return env.ENCRYPTION_KEYS ?? (env.ENCRYPTION_KEY ? [env.ENCRYPTION_KEY] : [])
}

// Rules that involve more than one variable, or depend on NODE_ENV.
function crossCheck(env: Env): Issue[] {
  const issues: Issue[] = []
  const production = env.NODE_ENV === 'production'
  if (production && (!env.SECRET_KEY || env.SECRET_KEY === DEV_SECRET_KEY)) {
    issues.push({ variable: 'SECRET_KEY', message: 'must be set to your own random value in production (make one with `openssl rand -base64 48`)' })
  }
  const keys = encryptionKeyList(env)
  if (production && (keys.length === 0 || keys.some(key => keyIdOf(key) === keyIdOf(DEV_ENCRYPTION_KEY)))) {
    issues.push({ variable: env.ENCRYPTION_KEYS ? 'ENCRYPTION_KEYS' : 'ENCRYPTION_KEY', message: 'must be set to your own 32 random bytes in production (make one with `openssl rand -base64 32`)' })
  }
  // Both set: the single key must be one of the list, or values saved under it would no longer decrypt.
  if (env.ENCRYPTION_KEY && env.ENCRYPTION_KEYS && !env.ENCRYPTION_KEYS.some(key => keyIdOf(key) === keyIdOf(env.ENCRYPTION_KEY!))) {
    issues.push({ variable: 'ENCRYPTION_KEY', message: 'is not one of ENCRYPTION_KEYS: set only ENCRYPTION_KEYS (newest first, then the older keys), or make them agree' })
  }
  if (env.SMTP_URL && !env.MAIL_FROM) {
    issues.push({ variable: 'MAIL_FROM', message: 'is required when SMTP_URL is set (the address your mail server lets you send as, e.g. Reelwise <hello@example.com>)' })
  }
  if (env.SUPABASE_URL && !env.SUPABASE_ANON_KEY) {
    issues.push({ variable: 'SUPABASE_ANON_KEY', message: 'is required when SUPABASE_URL is set (Project Settings → API in Supabase)' })
  }
  for (const platform of PLATFORMS) {
    const id = `${platform}_CLIENT_ID` as const
    const secret = `${platform}_CLIENT_SECRET` as const
    if (Boolean(env[id]) !== Boolean(env[secret])) {
      issues.push({ variable: env[id] ? secret : id, message: `must be set together with ${env[id] ? id : secret}` })
    }
  }
  if (env.AI_PROVIDER === 'openai' && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    issues.push({ variable: 'OPENAI_API_KEY', message: 'is required when AI_PROVIDER=openai (or set OPENAI_BASE_URL for a keyless local server such as Ollama)' })
  }
  if (env.AI_PROVIDER === 'gemini' && !env.GEMINI_API_KEY) {
    issues.push({ variable: 'GEMINI_API_KEY', message: 'is required when AI_PROVIDER=gemini' })
  }
  if (env.AI_PROVIDER === 'grok' && !env.GROK_API_KEY) {
    issues.push({ variable: 'GROK_API_KEY', message: 'is required when AI_PROVIDER=grok' })
  }
  if (env.STORAGE_DRIVER === 's3' && !env.STORAGE_S3_BUCKET) {
    issues.push({ variable: 'STORAGE_S3_BUCKET', message: 'is required when STORAGE_DRIVER=s3 (the bucket that holds the media)' })
  }
  if (env.STORAGE_DRIVER === 's3' && Boolean(env.STORAGE_S3_ACCESS_KEY_ID) !== Boolean(env.STORAGE_S3_SECRET_ACCESS_KEY)) {
    issues.push({ variable: env.STORAGE_S3_ACCESS_KEY_ID ? 'STORAGE_S3_SECRET_ACCESS_KEY' : 'STORAGE_S3_ACCESS_KEY_ID', message: 'must be set together with its pair (or leave both unset to use the machine\'s AWS credentials)' })
  }
  return issues
}

export class ConfigError extends Error {
  constructor(readonly issues: Issue[]) {
    super(`Invalid configuration:\n${issues.map(issue => `  - ${issue.variable} ${issue.message}`).join('\n')}\nFix the variables above (see the configuration table in README.md) and start again.`)
    this.name = 'ConfigError'
  }
}

/** Reads and validates the configuration from an environment (process.env by default). Throws ConfigError. */
export function parseServerConfig(source: Record<string, string | undefined> = process.env) {
  // An empty variable means "not set", as it does in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''))
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map(issue => ({ variable: String(issue.path[0] ?? 'environment'), message: issue.message })))
  }
  const env = parsed.data
  const issues = crossCheck(env)
  if (issues.length > 0) throw new ConfigError(issues)

  const dataDir = resolve(env.DATA_DIR)
  const production = env.NODE_ENV === 'production'
  return {
    production,
    port: env.PORT,
    appUrl: env.APP_URL ?? env.RENDER_EXTERNAL_URL ?? `http://localhost:${env.PORT}`,
    role: env.APP_ROLE,
    trustProxy: env.TRUST_PROXY,
    // X-Forwarded-For entries that our own proxies wrote (0: the header is ignored).
    trustedProxyHops: env.TRUST_PROXY ? env.TRUST_PROXY_HOPS : 0,
    dataDir,
    database: {
      // Unset means the embedded PGlite in DATA_DIR.
      url: env.DATABASE_URL,
      embedded: !env.DATABASE_URL,
      // Production on PostgreSQL migrates before release (render.yaml's preDeployCommand), not at boot.
      migrateOnBoot: env.MIGRATE_ON_BOOT ?? (!env.DATABASE_URL || !production),
    },
    redisUrl: env.REDIS_URL,
    rateLimitNamespace: env.RATE_LIMIT_NAMESPACE,
    healthToken: env.HEALTH_TOKEN,
    jobStreams: { maxSeconds: env.JOB_STREAM_MAX_SECONDS },
    secretKey: env.SECRET_KEY ?? DEV_SECRET_KEY,
    // Newest first: new secrets use the first, older ones still decrypt (server/services/security/secrets.ts).
    encryptionKeys: encryptionKeyList(env).length > 0 ? encryptionKeyList(env) : [DEV_ENCRYPTION_KEY],
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM ?? 'Reelwise <no-reply@localhost>',
      // Links in mail carry tokens, so printing them is for a developer's own machine only.
      devOutbox: !env.SMTP_URL && !production,
    },
    supabase: env.SUPABASE_URL
      ? { url: env.SUPABASE_URL, anonKey: env.SUPABASE_ANON_KEY!, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY, jwtSecret: env.SUPABASE_JWT_SECRET }
      : undefined,
    ai: {
      provider: env.AI_PROVIDER,
      openai: { apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL },
      geminiApiKey: env.GEMINI_API_KEY,
      grokApiKey: env.GROK_API_KEY,
    },
    platforms: Object.fromEntries(PLATFORMS.map(platform => [
      platform.toLowerCase(),
      env[`${platform}_CLIENT_ID`] ? { clientId: env[`${platform}_CLIENT_ID`]!, clientSecret: env[`${platform}_CLIENT_SECRET`]!, baseUrl: env[`${platform}_BASE_URL`] } : undefined,
    ])) as Record<PlatformKey, PlatformAppConfig | undefined>,
    ffmpeg: { ffmpegPath: env.FFMPEG_PATH, ffprobePath: env.FFPROBE_PATH },
    storage: {
      driver: env.STORAGE_DRIVER,
      localDir: resolve(env.STORAGE_LOCAL_DIR ?? resolve(dataDir, 'media')),
      s3: env.STORAGE_DRIVER === 's3'
        ? {
            bucket: env.STORAGE_S3_BUCKET!,
            region: env.STORAGE_S3_REGION,
            endpoint: env.STORAGE_S3_ENDPOINT,
            accessKeyId: env.STORAGE_S3_ACCESS_KEY_ID,
            secretAccessKey: env.STORAGE_S3_SECRET_ACCESS_KEY,
            // Supabase Storage and most S3-compatible servers want bucket-in-path URLs.
            forcePathStyle: env.STORAGE_S3_FORCE_PATH_STYLE ?? Boolean(env.STORAGE_S3_ENDPOINT),
          }
        : undefined,
    },
    uploads: {
      // In-progress uploads stay on this machine's disk until they are complete (tus FileStore); with S3, in the bucket.
      stagingDir: resolve(dataDir, 'uploads'),
      maxSizeBytes: env.UPLOAD_MAX_SIZE,
      workspaceQuotaBytes: env.WORKSPACE_STORAGE_QUOTA,
      footageLimits: {
        maxSeconds: env.FOOTAGE_MAX_DURATION,
        maxWidth: env.FOOTAGE_MAX_RESOLUTION.width,
        maxHeight: env.FOOTAGE_MAX_RESOLUTION.height,
        maxFps: env.FOOTAGE_MAX_FPS,
      },
    },
    analysis: {
      cutThreshold: env.ANALYSIS_CUT_THRESHOLD,
      silenceNoiseDb: env.ANALYSIS_SILENCE_DB,
      silenceMinSeconds: env.ANALYSIS_SILENCE_MIN_SECONDS,
    },
  }
}

export type ServerConfig = ReturnType<typeof parseServerConfig>
