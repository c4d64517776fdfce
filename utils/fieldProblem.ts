import type { z } from 'zod'

/** What a field's schema says of its value, for the error shown next to it; nothing when the value is fine. */
export function fieldProblem(schema: z.ZodType, value: unknown): string | undefined {
  const parsed = schema.safeParse(value)
  return parsed.success ? undefined : parsed.error.issues[0]?.message
}

/** "500 / 120": how much of a limited text is used. The field keeps whatever was typed or pasted; this says so. */
export function characterCount(value: string | undefined, schema: z.ZodString): string {
  return `${(value ?? '').trim().length} / ${schema.maxLength ?? '∞'}`
}
