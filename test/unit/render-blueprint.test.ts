import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { CONFIG_VARIABLES } from '../../server/services/config/env'

const root = resolve(import.meta.dirname, '../..')
// RENDER_REFERENCE_DIR only lets render-blueprint-reference.test.ts prove that a missing folder fails the run.
const reference = resolve(root, process.env.RENDER_REFERENCE_DIR ?? '../shared/reference')
const schemaPath = resolve(reference, 'render.yaml.schema.json')

interface EnvVar { key?: string, value?: string, sync?: boolean, fromGroup?: string, fromDatabase?: { name: string, property: string }, fromService?: { name: string, type: string, property: string } }
interface Service { type: string, name: string, runtime?: string, dockerfilePath?: string, dockerCommand?: string, preDeployCommand?: string, healthCheckPath?: string, envVars?: EnvVar[] }
interface Blueprint { services: Service[], databases: { name: string }[], envVarGroups: { name: string, envVars: EnvVar[] }[] }

const blueprint = parse(readFileSync(resolve(root, 'render.yaml'), 'utf8')) as Blueprint

// Variables that Render, the Dockerfile or the app's defaults provide, so render.yaml need not list them.
const providedElsewhere: Record<string, string> = {
  PORT: 'Render sets it',
  RENDER_EXTERNAL_URL: 'Render sets it on web services',
  DATA_DIR: 'the Dockerfile sets it',
  FFMPEG_PATH: 'the Dockerfile sets it',
  FFPROBE_PATH: 'the Dockerfile sets it',
  MIGRATE_ON_BOOT: 'production migrates in preDeployCommand instead',
  OPENAI_BASE_URL: 'only for self-hosted OpenAI-compatible servers',
  STORAGE_LOCAL_DIR: 'defaults to DATA_DIR/media',
  STORAGE_S3_FORCE_PATH_STYLE: 'on by default when STORAGE_S3_ENDPOINT is set',
  UPLOAD_MAX_SIZE: 'defaults to 2GB',
  JOB_STREAM_MAX_SECONDS: 'defaults to 10 minutes',
  WORKSPACE_STORAGE_QUOTA: 'defaults to 25GB',
  FOOTAGE_MAX_DURATION: 'defaults to 30 minutes',
  FOOTAGE_MAX_RESOLUTION: 'defaults to 4K',
  FOOTAGE_MAX_FPS: 'defaults to 120',
  RATE_LIMIT_NAMESPACE: 'one deployment per Key Value instance; the default fits',
  ANALYSIS_CUT_THRESHOLD: 'documented default',
  ANALYSIS_SILENCE_DB: 'documented default',
  ANALYSIS_SILENCE_MIN_SECONDS: 'documented default',
  INSTAGRAM_BASE_URL: 'test doubles only',
  FACEBOOK_BASE_URL: 'test doubles only',
  TIKTOK_BASE_URL: 'test doubles only',
  YOUTUBE_BASE_URL: 'test doubles only',
}

function envOf(service: Service): EnvVar[] {
  return (service.envVars ?? []).flatMap(envVar => envVar.fromGroup
    ? blueprint.envVarGroups.find(group => group.name === envVar.fromGroup)?.envVars ?? []
    : [envVar])
}

function validator() {
  // Fail, never skip: a CI machine without the reference folder would otherwise pass without checking the schema.
  if (!existsSync(schemaPath)) throw new Error(`Render's Blueprint schema is missing at ${schemaPath}: check out ../shared/reference next to the project`)
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  addFormats.default(ajv)
  return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')))
}

describe('render.yaml', () => {
  it('validates against Render\'s Blueprint JSON schema', () => {
    const validate = validator()
    const valid = validate(blueprint)
    expect(validate.errors ?? []).toEqual([])
    expect(valid).toBe(true)
  })

  it('uses a validator that does catch a broken blueprint (Render\'s trender example has 3 errors)', () => {
    const validate = validator()
    expect(validate(parse(readFileSync(resolve(reference, 'render-examples/trender.render.yaml'), 'utf8')))).toBe(false)
    expect(validate(parse(readFileSync(resolve(reference, 'render-examples/sf-pulse-ts.render.yaml'), 'utf8')))).toBe(true)
  })

  const web = blueprint.services.find(service => service.type === 'web')!
  const worker = blueprint.services.find(service => service.type === 'worker')!

  it('runs one build in two roles, web and worker', () => {
    expect(web).toBeDefined()
    expect(worker).toBeDefined()
    for (const service of [web, worker]) {
      expect(service.runtime).toBe('docker')
      expect(service.dockerfilePath).toBe('./Dockerfile')
      expect(service.dockerCommand).toBe('node .output/server/index.mjs')
    }
    expect(envOf(web).find(envVar => envVar.key === 'APP_ROLE')?.value).toBe('web')
    expect(envOf(worker).find(envVar => envVar.key === 'APP_ROLE')?.value).toBe('worker')
  })

  it('checks /health and migrates before each release, on both services', () => {
    for (const service of [web, worker]) {
      expect(service.healthCheckPath).toBe('/health')
      expect(service.preDeployCommand).toBe('node .output/server/index.mjs --migrate-only')
    }
  })

  it('wires the database and Key Value by reference, never by a pasted URL', () => {
    const keyValue = blueprint.services.find(service => service.type === 'keyvalue')!
    for (const service of [web, worker]) {
      const env = envOf(service)
      const database = env.find(envVar => envVar.key === 'DATABASE_URL')
      expect(database?.fromDatabase).toEqual({ name: blueprint.databases[0]!.name, property: 'connectionString' })
      const redis = env.find(envVar => envVar.key === 'REDIS_URL')
      expect(redis?.fromService).toEqual({ name: keyValue.name, type: 'keyvalue', property: 'connectionString' })
    }
  })

  it('keeps every secret out of the file (sync: false) and covers every variable the app reads', () => {
    const env = envOf(web)
    for (const envVar of env.filter(envVar => /SECRET|_KEY$|_KEY_ID$/.test(envVar.key ?? ''))) {
      expect(envVar, envVar.key).toEqual({ key: envVar.key, sync: false })
    }
    const listed = new Set(env.map(envVar => envVar.key))
    const missing = CONFIG_VARIABLES.filter(variable => !listed.has(variable) && !(variable in providedElsewhere))
    expect(missing).toEqual([])
    expect(envOf(web).map(envVar => envVar.key).sort()).toEqual(envOf(worker).map(envVar => envVar.key).sort())
  })
})
