import { z } from 'zod'
import { platforms } from './recipe'

// The brand profile: who the content is for and how it sounds. One per workspace; the strategy work reads it.
// The form and PUT /brand validate with the same schema.

export const brandGoalSchema = z.object({
  metric: z.string().trim().min(1, 'Say what the goal is, e.g. "followers" or "leads a month".').max(80),
  target: z.string().trim().max(40),
  // A day (YYYY-MM-DD, what a date field gives), or empty for a goal without a deadline.
  by: z.string().refine(value => value === '' || (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))), 'Pick a date from the calendar.'),
})

export const brandProfileSchema = z.object({
  name: z.string().trim().min(1, 'Name the brand (the name your audience knows).').max(80),
  niche: z.string().trim().max(200),
  audience: z.string().trim().max(500),
  goals: z.array(brandGoalSchema).max(10, 'At most 10 goals: keep the ones that matter most.'),
  platforms: z.array(z.enum(platforms)).max(platforms.length),
  cadence: z.string().trim().max(120),
  voice: z.string().trim().max(1000),
})

export type BrandProfileInput = z.input<typeof brandProfileSchema>
export type BrandGoal = z.output<typeof brandGoalSchema>

export interface BrandProfile extends z.output<typeof brandProfileSchema> {
  /** False until someone saves it: the form then starts empty. */
  saved: boolean
  updatedAt: string | null
}

export const emptyBrandProfile = (): BrandProfileInput => ({ name: '', niche: '', audience: '', goals: [], platforms: [], cadence: '', voice: '' })
