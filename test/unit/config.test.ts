import { describe, expect, it } from 'vitest'
import { ConfigError, DEV_ENCRYPTION_KEY, DEV_SECRET_KEY, parseServerConfig } from '../../server/services/config/env'

const strongSecret = 'a'.repeat(20) + 'B'.repeat(20)
const strongKey = Buffer.alloc(32, 7).toString('base64')

function issuesOf(env: Record<string, string>): string[] {
  try {
    parseServerConfig(env)
  }
  catch (error) {
    if (error instanceof ConfigError) return error.issues.map(issue => `${issue.variable} ${issue.message}`)
    throw error
  }
  return []
}

describe('configuration', () => {
  it('runs on the embedded defaults with no variables at all', () => {
    const config = parseServerConfig({})
    expect(config.database).toMatchObject({ embedded: true, migrateOnBoot: true, url: undefined })
    expect(config).toMatchObject({ port: 3000, role: 'all', production: false, appUrl: 'http://localhost:3000' })
    expect(config.ai.provider).toBe('local')
    expect(config.storage.driver).toBe('local')
    expect(config.storage.localDir).toMatch(/\.data\/media$/)
    expect(config.secretKey).toBe(DEV_SECRET_KEY)
    expect(Object.values(config.platforms).every(platform => platform === undefined)).toBe(true)
  })

  it('names the variable and says what it should be when a value is wrong', () => {
    expect(issuesOf({ PORT: 'eighty' })).toEqual(['PORT must be a port number'])
    expect(issuesOf({ APP_ROLE: 'cron' })).toEqual(['APP_ROLE must be web, worker or all'])
    expect(issuesOf({ DATABASE_URL: 'mysql://localhost/db' })).toEqual(['DATABASE_URL must be a postgres:// or postgresql:// connection string'])
    expect(issuesOf({ REDIS_URL: 'localhost:6379' })).toEqual(['REDIS_URL must be a redis:// or rediss:// URL'])
    expect(issuesOf({ ENCRYPTION_KEY: 'short' })[0]).toMatch(/^ENCRYPTION_KEY must be 32 random bytes/)
    expect(issuesOf({ MIGRATE_ON_BOOT: 'yes' })[0]).toMatch(/^MIGRATE_ON_BOOT/)
  })

  it('reports every problem at once, in a message that tells the operator what to do', () => {
    let message = ''
    try {
      parseServerConfig({ PORT: '0', APP_ROLE: 'x' })
    }
    catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/PORT/)
    expect(message).toMatch(/APP_ROLE must be web, worker or all/)
    expect(message).toMatch(/README\.md/)
  })

  it('refuses to start in production with missing or development secrets', () => {
    expect(issuesOf({ NODE_ENV: 'production' }).map(issue => issue.split(' ')[0])).toEqual(['SECRET_KEY', 'ENCRYPTION_KEY'])
    expect(issuesOf({ NODE_ENV: 'production', SECRET_KEY: DEV_SECRET_KEY, ENCRYPTION_KEY: DEV_ENCRYPTION_KEY })).toHaveLength(2)
    expect(issuesOf({ NODE_ENV: 'production', SECRET_KEY: strongSecret, ENCRYPTION_KEY: strongKey })).toEqual([])
    expect(issuesOf({ NODE_ENV: 'production', SECRET_KEY: strongSecret, ENCRYPTION_KEY: 'ab'.repeat(32) })).toEqual([])
  })

  it('reads ENCRYPTION_KEYS newest first, takes ENCRYPTION_KEY as a list of one, and refuses the two disagreeing', () => {
    const older = Buffer.alloc(32, 3).toString('base64')
    const newer = 'cd'.repeat(32)
    expect(parseServerConfig({}).encryptionKeys).toEqual([DEV_ENCRYPTION_KEY])
    expect(parseServerConfig({ ENCRYPTION_KEY: older }).encryptionKeys).toEqual([older])
    expect(parseServerConfig({ ENCRYPTION_KEYS: ` ${newer} , ${older} ` }).encryptionKeys).toEqual([newer, older])
    // Both set and agreeing (the same bytes, even written another way): the list wins.
    expect(parseServerConfig({ ENCRYPTION_KEYS: `${newer},${older}`, ENCRYPTION_KEY: Buffer.from(older, 'base64').toString('hex') }).encryptionKeys).toEqual([newer, older])
    expect(issuesOf({ ENCRYPTION_KEYS: newer, ENCRYPTION_KEY: older })).toEqual([expect.stringMatching(/^ENCRYPTION_KEY is not one of ENCRYPTION_KEYS/)])
    expect(issuesOf({ ENCRYPTION_KEYS: `${newer},short` })).toEqual([expect.stringMatching(/^ENCRYPTION_KEYS must be 32-byte keys/)])
    expect(issuesOf({ ENCRYPTION_KEYS: `${newer},${newer.toUpperCase()}` })).toEqual(['ENCRYPTION_KEYS lists the same key twice'])
    // Production refuses the development key anywhere in the list.
    const production = { NODE_ENV: 'production', SECRET_KEY: strongSecret }
    expect(issuesOf({ ...production, ENCRYPTION_KEYS: `${newer},${older}` })).toEqual([])
    expect(issuesOf({ ...production, ENCRYPTION_KEYS: `${newer},${DEV_ENCRYPTION_KEY}` })).toEqual([expect.stringMatching(/^ENCRYPTION_KEYS must be set to your own/)])
  })

  it('in production on PostgreSQL, leaves migrations to the pre-deploy step unless told otherwise', () => {
    const production = { NODE_ENV: 'production', SECRET_KEY: strongSecret, ENCRYPTION_KEY: strongKey, DATABASE_URL: 'postgresql://u@db:5432/app' }
    expect(parseServerConfig(production).database.migrateOnBoot).toBe(false)
    expect(parseServerConfig({ ...production, MIGRATE_ON_BOOT: 'true' }).database.migrateOnBoot).toBe(true)
    expect(parseServerConfig({ DATABASE_URL: 'postgresql://u@db:5432/app' }).database.migrateOnBoot).toBe(true)
  })

  it('needs each platform\'s client id and secret together', () => {
    expect(issuesOf({ TIKTOK_CLIENT_ID: 'key' })).toEqual(['TIKTOK_CLIENT_SECRET must be set together with TIKTOK_CLIENT_ID'])
    expect(issuesOf({ YOUTUBE_CLIENT_SECRET: 'secret' })).toEqual(['YOUTUBE_CLIENT_ID must be set together with YOUTUBE_CLIENT_SECRET'])
    expect(parseServerConfig({ TIKTOK_CLIENT_ID: 'key', TIKTOK_CLIENT_SECRET: 'secret' }).platforms.tiktok).toEqual({ clientId: 'key', clientSecret: 'secret' })
  })

  it('needs the key of the AI provider it is told to use', () => {
    expect(issuesOf({ AI_PROVIDER: 'gemini' })).toEqual(['GEMINI_API_KEY is required when AI_PROVIDER=gemini'])
    expect(issuesOf({ AI_PROVIDER: 'grok' })).toEqual(['GROK_API_KEY is required when AI_PROVIDER=grok'])
    expect(issuesOf({ AI_PROVIDER: 'openai' })[0]).toMatch(/OPENAI_API_KEY is required/)
    expect(issuesOf({ AI_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' })).toEqual([])
    expect(issuesOf({ SUPABASE_URL: 'https://x.supabase.co' })[0]).toMatch(/^SUPABASE_ANON_KEY is required/)
  })

  it('needs a bucket for the S3 storage driver, and both halves of a key pair', () => {
    expect(issuesOf({ STORAGE_DRIVER: 's3' })).toEqual(['STORAGE_S3_BUCKET is required when STORAGE_DRIVER=s3 (the bucket that holds the media)'])
    expect(issuesOf({ STORAGE_DRIVER: 's3', STORAGE_S3_BUCKET: 'media', STORAGE_S3_ACCESS_KEY_ID: 'id' })[0]).toMatch(/^STORAGE_S3_SECRET_ACCESS_KEY must be set together/)
    const config = parseServerConfig({ STORAGE_DRIVER: 's3', STORAGE_S3_BUCKET: 'media', STORAGE_S3_ENDPOINT: 'https://x.supabase.co/storage/v1/s3' })
    expect(config.storage.s3).toMatchObject({ bucket: 'media', forcePathStyle: true })
  })

  it('reads sizes in bytes or binary units, and refuses anything else', () => {
    expect(parseServerConfig({}).uploads).toMatchObject({ maxSizeBytes: 2 * 1024 ** 3, workspaceQuotaBytes: 25 * 1024 ** 3 })
    expect(parseServerConfig({ UPLOAD_MAX_SIZE: '500MB', WORKSPACE_STORAGE_QUOTA: '1048576' }).uploads).toMatchObject({ maxSizeBytes: 500 * 1024 ** 2, workspaceQuotaBytes: 1048576 })
    expect(issuesOf({ UPLOAD_MAX_SIZE: 'lots' })).toEqual(['UPLOAD_MAX_SIZE must be a size such as 2147483648, 500MB or 2GB'])
  })

  it('reads footage limits: 30 minutes, 4K and 120 fps unless set, and refuses nonsense', () => {
    expect(parseServerConfig({}).uploads.footageLimits).toEqual({ maxSeconds: 1800, maxWidth: 3840, maxHeight: 2160, maxFps: 120 })
    expect(parseServerConfig({ FOOTAGE_MAX_DURATION: '90s', FOOTAGE_MAX_RESOLUTION: '1920x1080', FOOTAGE_MAX_FPS: '60' }).uploads.footageLimits).toEqual({ maxSeconds: 90, maxWidth: 1920, maxHeight: 1080, maxFps: 60 })
    expect(parseServerConfig({ FOOTAGE_MAX_DURATION: '1h' }).uploads.footageLimits.maxSeconds).toBe(3600)
    expect(issuesOf({ FOOTAGE_MAX_DURATION: 'long', FOOTAGE_MAX_RESOLUTION: '4k', FOOTAGE_MAX_FPS: '0' })).toEqual([
      'FOOTAGE_MAX_DURATION must be a duration such as 1800, 90s, 30m or 1h',
      'FOOTAGE_MAX_RESOLUTION must be a frame size such as 3840x2160',
      'FOOTAGE_MAX_FPS must be more than zero',
    ])
  })

  it('treats an empty variable as unset, and prefers APP_URL to Render\'s own URL', () => {
    expect(parseServerConfig({ DATABASE_URL: '', PORT: ' ' }).database.embedded).toBe(true)
    expect(parseServerConfig({ RENDER_EXTERNAL_URL: 'https://reelwise.onrender.com' }).appUrl).toBe('https://reelwise.onrender.com')
    expect(parseServerConfig({ RENDER_EXTERNAL_URL: 'https://reelwise.onrender.com', APP_URL: 'https://app.example.com' }).appUrl).toBe('https://app.example.com')
  })

  it('sends mail by SMTP when SMTP_URL is set, with a sender it is told; otherwise keeps a dev outbox outside production', () => {
    expect(parseServerConfig({}).mail).toEqual({ smtpUrl: undefined, from: 'Reelwise <no-reply@localhost>', devOutbox: true })
    expect(parseServerConfig({ NODE_ENV: 'production', SECRET_KEY: strongSecret, ENCRYPTION_KEY: strongKey }).mail.devOutbox).toBe(false)
    const smtp = parseServerConfig({ SMTP_URL: 'smtps://user:pass@smtp.example.com:465', MAIL_FROM: 'Reelwise <hello@example.com>' }).mail
    expect(smtp).toEqual({ smtpUrl: 'smtps://user:pass@smtp.example.com:465', from: 'Reelwise <hello@example.com>', devOutbox: false })
    expect(issuesOf({ SMTP_URL: 'https://smtp.example.com' })).toEqual(['SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465'])
    expect(issuesOf({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toEqual(['MAIL_FROM is required when SMTP_URL is set (the address your mail server lets you send as, e.g. Reelwise <hello@example.com>)'])
    expect(issuesOf({ MAIL_FROM: 'not an address' })[0]).toMatch(/^MAIL_FROM must be an e-mail address/)
  })
})
