// Checks each request the YouTube fake receives against Google's discovery document for the Data API v3
// (../shared/reference/youtube-v3.discovery.json): the method's HTTP verb and path, every query parameter known,
// the required ones present, enums and `part` values, and the JSON body's property names against the schema.
// A request that does not fit gets the 400 Google sends, so a connector that drifts from the API fails its tests.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { FakeReply, FakeRequest } from './fake-platform-server'

interface Parameter { type?: string, required?: boolean, repeated?: boolean, enum?: string[], location?: string }
interface Schema { $ref?: string, type?: string, properties?: Record<string, Schema>, items?: Schema, additionalProperties?: Schema }
interface Method {
  id: string
  httpMethod: string
  flatPath: string
  parameters?: Record<string, Parameter>
  request?: { $ref: string }
  response?: { $ref: string }
  mediaUpload?: { protocols: Record<string, { path: string }> }
}
interface Discovery { parameters: Record<string, Parameter>, schemas: Record<string, Schema>, resources: Record<string, { methods: Record<string, Method> }> }

const root = resolve(import.meta.dirname, '../..')
const discoveryPath = resolve(root, '../shared/reference/youtube-v3.discovery.json')

let loaded: Discovery | undefined
function discovery(): Discovery {
  // Fail, never skip: without the document the fake would accept anything.
  if (!existsSync(discoveryPath)) throw new Error(`YouTube's discovery document is missing at ${discoveryPath}: check out ../shared/reference next to the project`)
  loaded ??= JSON.parse(readFileSync(discoveryPath, 'utf8')) as Discovery
  return loaded
}

export function discoveryMethod(id: string): Method {
  const [, resource = '', name = ''] = id.split('.')
  const method = discovery().resources[resource]?.methods[name]
  if (!method) throw new Error(`The discovery document has no method ${id}`)
  return method
}

/** Google's 400: `{error:{code,message,errors:[{message,domain,reason,location,locationType}],status}}`. */
export function badRequest(message: string, reason: string, location?: string, domain = 'global'): FakeReply {
  return {
    status: 400,
    body: { error: { code: 400, message, errors: [{ message, domain, reason, ...(location ? { location, locationType: 'parameter' } : {}) }], status: 'INVALID_ARGUMENT' } },
  }
}

const resolveSchema = (schema: Schema): Schema => schema.$ref ? discovery().schemas[schema.$ref] ?? {} : schema

/** The resource a method reads or writes (Video for videos.list and videos.insert), whose properties are its parts. */
function resourceOf(method: Method): Schema {
  if (method.request) return resolveSchema(method.request)
  const response = resolveSchema(method.response ?? {})
  return resolveSchema(response.properties?.items?.items ?? {})
}

/** The property names in `value` that `schema` does not have, as dotted paths. */
export function unknownFields(value: unknown, schema: Schema, path = 'resource'): string[] {
  const resolved = resolveSchema(schema)
  if (Array.isArray(value)) return resolved.items ? value.flatMap((item, index) => unknownFields(item, resolved.items!, `${path}[${index}]`)) : []
  if (!value || typeof value !== 'object') return []
  if (resolved.additionalProperties) return Object.entries(value).flatMap(([key, inner]) => unknownFields(inner, resolved.additionalProperties!, `${path}.${key}`))
  return Object.entries(value).flatMap(([key, inner]) => {
    const property = resolved.properties?.[key]
    return property ? unknownFields(inner, property, `${path}.${key}`) : [`${path}.${key}`]
  })
}

function checkValue(name: string, value: string, parameter: Parameter): FakeReply | undefined {
  if (parameter.enum && !parameter.enum.includes(value)) return badRequest(`Invalid value '${value}' for ${name}.`, 'invalidParameter', name, 'youtube.parameter')
  if (parameter.type === 'boolean' && !['true', 'false'].includes(value)) return badRequest(`Invalid boolean value: '${value}' for ${name}.`, 'invalidBoolean', name)
  if (parameter.type === 'integer' && !/^-?\d+$/.test(value)) return badRequest(`Invalid integer value: '${value}' for ${name}.`, 'invalidInteger', name)
  return undefined
}

/** Undefined when the request fits method `id`; else the 400 Google would answer. */
export function checkAgainstDiscovery(id: string, request: FakeRequest, options: { upload?: boolean } = {}): FakeReply | undefined {
  const method = discoveryMethod(id)
  const paths = options.upload ? Object.values(method.mediaUpload?.protocols ?? {}).map(protocol => protocol.path) : [`/${method.flatPath}`]
  if (request.method !== method.httpMethod || !paths.includes(request.path)) {
    return { status: 404, body: { error: { code: 404, message: `${request.method} ${request.path} is not ${id}`, errors: [{ reason: 'notFound', domain: 'global', message: 'Not Found' }] } } }
  }
  const known = { ...discovery().parameters, ...method.parameters }
  for (const name of new Set(request.query.keys())) {
    const parameter = known[name]
    // upload_id names a resumable session; Google's upload front end takes it beside the method's own parameters.
    if (!parameter && !(options.upload && name === 'upload_id')) {
      return badRequest(`Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`, 'invalid')
    }
    const values = request.query.getAll(name)
    if (values.length > 1 && parameter && !parameter.repeated) return badRequest(`Parameter ${name} is not repeated.`, 'invalid', name)
    for (const value of values) {
      const refused = parameter && checkValue(name, value, parameter)
      if (refused) return refused
    }
  }
  for (const [name, parameter] of Object.entries(method.parameters ?? {})) {
    if (parameter.required && !request.query.get(name)) return badRequest(`No ${name} specified`, 'missingRequiredParameter', name, 'youtube.parameter')
  }
  const resource = resourceOf(method)
  const parts = request.query.getAll('part').flatMap(value => value.split(',')).map(part => part.trim())
  const unknownPart = parts.find(part => !resource.properties?.[part])
  if (unknownPart !== undefined) return badRequest(`'${unknownPart}'`, 'unknownPart', 'part', 'youtube.part')
  if (method.request) {
    let body: unknown
    try {
      body = JSON.parse(request.body.toString('utf8') || '{}')
    }
    catch {
      return badRequest('Invalid JSON payload received.', 'parseError')
    }
    const unknown = unknownFields(body, method.request)
    if (unknown.length) return badRequest(`Invalid JSON payload received. Unknown name "${unknown[0]!.split('.').pop()}" at '${unknown[0]}': Cannot find field.`, 'invalid')
  }
  return undefined
}
