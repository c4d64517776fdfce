import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { platformProfiles } from '#shared/platforms'
import { platformNames, platforms, type PlatformKey } from '#shared/platforms/keys'
import { parseServerConfig } from '../../server/services/config/env'
import { connectors } from '../../server/services/platforms'

// The one list of platform keys (shared/platforms/keys.ts) and everything that must follow it. Adding a platform to
// the list fails here, naming what it still lacks: a connector folder, a render profile, a loopback fake, its env pair
// or its value in the Prisma enum.
const root = resolve(import.meta.dirname, '../..')

/** The loopback fake that serves each platform's hosts in the tests. Instagram and Facebook share Meta's. */
const fakes: Record<PlatformKey, { file: string, start: string }> = {
  instagram: { file: 'test/support/fake-meta.ts', start: 'startFakeMeta' },
  facebook: { file: 'test/support/fake-meta.ts', start: 'startFakeMeta' },
  tiktok: { file: 'test/support/fake-tiktok.ts', start: 'startFakeTiktok' },
  youtube: { file: 'test/support/fake-youtube.ts', start: 'startFakeYoutube' },
}

const minimalEnv = { NODE_ENV: 'test', DATA_DIR: '/tmp/reelwise-platform-keys' }

describe.each(platforms)('platform %s', (platform) => {
  it('has a name and a render profile', () => {
    expect(platformNames[platform]).toBeTruthy()
    expect(platformProfiles[platform]).toBeDefined()
    expect(platformProfiles[platform].caption.maxChars).toBeGreaterThan(0)
  })

  it('has a connector folder split as the others are, registered under its key', () => {
    const folder = join(root, 'server/services/platforms', platform)
    for (const file of ['index.ts', 'oauth.ts', 'publish.ts', 'metrics.ts', 'errors.ts']) {
      expect(existsSync(join(folder, file)), `server/services/platforms/${platform}/${file}`).toBe(true)
    }
    const connector = connectors[platform]
    expect(connector.key).toBe(platform)
    for (const method of ['authorizeUrl', 'exchangeCode', 'refresh', 'accounts', 'publish', 'checkStatus', 'metrics', 'classifyError'] as const) {
      expect(typeof connector[method], `${platform} connector's ${method}`).toBe('function')
    }
  })

  it('has a loopback fake for the tests', () => {
    const fake = fakes[platform]
    expect(existsSync(join(root, fake.file)), fake.file).toBe(true)
    expect(readFileSync(join(root, fake.file), 'utf8')).toContain(`export async function ${fake.start}(`)
  })

  it('is set up by its env pair, and refuses half of it', () => {
    const name = platform.toUpperCase()
    const configured = parseServerConfig({ ...minimalEnv, [`${name}_CLIENT_ID`]: 'id', [`${name}_CLIENT_SECRET`]: 'secret' })
    expect(configured.platforms[platform]).toMatchObject({ clientId: 'id', clientSecret: 'secret' })
    expect(parseServerConfig(minimalEnv).platforms[platform]).toBeUndefined()
    expect(() => parseServerConfig({ ...minimalEnv, [`${name}_CLIENT_ID`]: 'id' })).toThrow(new RegExp(`${name}_CLIENT_SECRET`))
  })
})

it('the Prisma enum Platform has exactly the keys', () => {
  const schema = readFileSync(join(root, 'prisma/schema.prisma'), 'utf8')
  const values = /enum Platform \{([^}]*)\}/.exec(schema)?.[1]?.split('\n').map(line => line.trim()).filter(line => line && !line.startsWith('//'))
  expect(values?.sort()).toEqual([...platforms].sort())
})
