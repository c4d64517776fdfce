import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { describeIssue, describeIssues, fieldOf } from '#shared/issues'
import { editRecipeSchema } from '#shared/recipe'
import { createRendersSchema } from '#shared/studio'

const refusal = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input)
  if (parsed.success) throw new Error('the input was accepted')
  return parsed.error.issues
}

describe('a zod refusal in words', () => {
  it('names the hook field and says how long the text is against the limit', () => {
    const issues = refusal(createRendersSchema, {
      videoId: '6f1c1f8e-3a4b-4c5d-8e9f-0a1b2c3d4e5f',
      name: 'Launch',
      recipe: { hook: { text: 'a'.repeat(500) } },
    })
    expect(describeIssues(issues)).toEqual({
      message: 'Hook text: at most 120 characters (this one has 500).',
      issues: [{ path: ['recipe', 'hook', 'text'], message: 'Hook text: at most 120 characters (this one has 500).' }],
    })
  })

  it('counts captions and hook lines as the page does', () => {
    expect(fieldOf(['recipe', 'captions', 'cues', 2, 'text'])).toBe('Caption 3 text')
    expect(fieldOf(['variations', 'hookText', 1])).toBe('Hook line 2')
    expect(fieldOf(['silence', 'marginSeconds'])).toBe('Silence removal margin')
    expect(fieldOf(['workspaceId'])).toBe('Workspace id')
  })

  it('rewrites zod’s own wording where a schema gave none, and keeps the schema’s where it did', () => {
    const [tooLong] = refusal(z.object({ title: z.string().max(5) }), { title: 'n'.repeat(9) })
    expect(describeIssue(tooLong!)).toBe('Title: at most 5 characters.')
    const [longName] = refusal(createRendersSchema.shape.name, 'n'.repeat(130))
    expect(describeIssue({ ...longName!, path: ['name'] })).toBe('Name: at most 120 characters (this one has 130).')
    const [missing] = refusal(z.object({ videoId: z.uuid() }), {})
    expect(describeIssue(missing!)).toBe('Video: it is missing or not the right kind.')
    const [badUuid] = refusal(z.object({ videoId: z.uuid() }), { videoId: 'nope' })
    expect(describeIssue(badUuid!)).toBe('Video: it is not in the expected form.')
    const [speed] = refusal(editRecipeSchema, { speed: 3 })
    expect(describeIssue(speed!)).toBe('Speed: speed goes from 0.5× to 2×.')
  })

  it('names the first three problems and counts the rest', () => {
    const issues = refusal(editRecipeSchema, { speed: 9, hook: { text: '' }, endCard: { text: '' }, silence: { marginSeconds: 5 } })
    const { message, issues: listed } = describeIssues(issues)
    expect(listed).toHaveLength(4)
    expect(message).toBe('Silence removal margin: at most 2. Speed: speed goes from 0.5× to 2×. Hook text: the text is empty. (and 1 more)')
  })
})
