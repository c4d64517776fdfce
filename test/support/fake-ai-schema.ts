// What the fake OpenAI and Gemini servers answer by default: a value that satisfies the JSON schema the request
// carried (z.toJSONSchema output: objects, arrays, enums, consts, anyOf, $ref/$defs, nullable type lists, bounds),
// so a generic test gets a valid reply without scripting one. Deterministic: the same schema gives the same value.
type JsonSchema = Record<string, any>

const WORDS = ['Three', 'ways', 'to', 'open', 'a', 'video', 'that', 'people', 'finish', 'watching']

function resolveReference(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (typeof schema.$ref !== 'string') return schema
  // '#/$defs/Name' or '#/definitions/Name'
  const path = schema.$ref.replace(/^#\//, '').split('/').filter(Boolean)
  let target: any = root
  for (const part of path) target = target?.[part]
  return target && typeof target === 'object' ? resolveReference(target, root) : {}
}

function sampleString(schema: JsonSchema, name: string): string {
  if (schema.format === 'date-time') return '2026-11-30T12:00:00.000Z'
  if (schema.format === 'date') return '2026-11-30'
  if (schema.format === 'uri' || schema.format === 'url') return 'https://example.test/item'
  if (schema.format === 'email') return 'creator@example.test'
  if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000'
  const base = name ? `Sample ${name}` : WORDS.slice(0, 4).join(' ')
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity
  let text = base
  while (text.length < min) text += ` ${base}`
  return text.slice(0, Math.max(min, Math.min(max, text.length)))
}

function sampleNumber(schema: JsonSchema, integer: boolean): number {
  const minimum = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + (integer ? 1 : 0.5) : undefined
  const maximum = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - (integer ? 1 : 0.5) : undefined
  let value = minimum ?? (maximum !== undefined ? Math.min(maximum, 1) : integer ? 3 : 1.5)
  if (minimum !== undefined && maximum !== undefined) value = integer ? Math.ceil((minimum + maximum) / 2) : (minimum + maximum) / 2
  if (maximum !== undefined) value = Math.min(value, maximum)
  return integer ? Math.round(value) : value
}

/** A value that satisfies `schema`; `name` is the property it fills (for readable strings). */
export function sampleFromSchema(schema: JsonSchema, root: JsonSchema = schema, name = '', depth = 0): unknown {
  schema = resolveReference(schema ?? {}, root)
  if (depth > 12) return null
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0]
  if (schema.default !== undefined) return schema.default
  const alternatives = schema.anyOf ?? schema.oneOf
  if (Array.isArray(alternatives) && alternatives.length) {
    const chosen = alternatives.find((alternative: JsonSchema) => resolveReference(alternative, root).type !== 'null') ?? alternatives[0]
    return sampleFromSchema(chosen, root, name, depth + 1)
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length) {
    return sampleFromSchema(Object.assign({}, ...schema.allOf.map((part: JsonSchema) => resolveReference(part, root))), root, name, depth + 1)
  }
  let type = schema.type
  if (Array.isArray(type)) type = type.find((candidate: string) => candidate !== 'null') ?? 'null'
  if (!type) type = schema.properties ? 'object' : schema.items ? 'array' : 'string'
  switch (type) {
    case 'object': {
      const result: Record<string, unknown> = {}
      const properties: Record<string, JsonSchema> = schema.properties ?? {}
      for (const [key, property] of Object.entries(properties)) result[key] = sampleFromSchema(property, root, key, depth + 1)
      return result
    }
    case 'array': {
      const count = Math.max(typeof schema.minItems === 'number' ? schema.minItems : 0, Math.min(2, typeof schema.maxItems === 'number' ? schema.maxItems : 2))
      if (Array.isArray(schema.prefixItems)) return schema.prefixItems.map((item: JsonSchema, index: number) => sampleFromSchema(item, root, `${name} ${index + 1}`, depth + 1))
      return Array.from({ length: count }, (_, index) => sampleFromSchema(schema.items ?? {}, root, `${singular(name)} ${index + 1}`.trim(), depth + 1))
    }
    case 'string': return sampleString(schema, name)
    case 'integer': return sampleNumber(schema, true)
    case 'number': return sampleNumber(schema, false)
    case 'boolean': return true
    case 'null': return null
    default: return null
  }
}

function singular(name: string) {
  return name.endsWith('s') ? name.slice(0, -1) : name
}

function wrongValueFor(schema: JsonSchema, root: JsonSchema): unknown {
  schema = resolveReference(schema ?? {}, root)
  const type = Array.isArray(schema.type) ? schema.type.find((candidate: string) => candidate !== 'null') : schema.type
  if (type === 'string' || schema.enum) return 12345
  if (type === 'number' || type === 'integer') return 'a lot'
  if (type === 'boolean') return 'yes'
  if (type === 'array') return 'none'
  return 'not an object'
}

/** Valid JSON that fails `schema`: every required field of the top object has the wrong type, or the wrong top type. */
export function schemaInvalidSample(schema: JsonSchema): unknown {
  const root = schema
  const top = resolveReference(schema, root)
  if (top.type !== 'object' || !top.properties) return wrongValueFor(top, root)
  const sample = sampleFromSchema(top, root) as Record<string, unknown>
  const required: string[] = Array.isArray(top.required) && top.required.length ? top.required : Object.keys(top.properties)
  for (const key of required) sample[key] = wrongValueFor(top.properties[key] ?? {}, root)
  return sample
}
