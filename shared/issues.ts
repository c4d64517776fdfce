import type { z } from 'zod'

// A zod refusal in words a person can act on: the field, as the pages name it, then what is wrong with it
// ("Hook text: at most 120 characters (this one has 500)."). The API's 400s and the Studio's form both use it.

/** One problem with the input: where it is (zod's path) and the sentence that says it. */
export interface InputIssue {
  path: (string | number)[]
  message: string
}

const fieldNames: Record<string, string> = {
  hook: 'Hook', captions: 'Captions', reframe: 'Frame', silence: 'Silence removal', speed: 'Speed', endCard: 'End card',
  music: 'Music', watermark: 'Logo', loudness: 'Loudness', variations: 'Variations', hookText: 'Hook line',
  captionStyle: 'Caption style', maxSeconds: 'Length', text: 'text', seconds: 'seconds', start: 'start', end: 'end',
  targetLufs: 'target', thresholdDb: 'threshold', marginSeconds: 'margin', minSilenceSeconds: 'shortest cut',
  volumeDb: 'level', duckDb: 'drop under speech', background: 'background', opacity: 'opacity',
  videoId: 'Video', name: 'Name', currentPassword: 'Current password', newPassword: 'New password', niche: 'Niche',
  audience: 'Audience', goals: 'Goal', metric: 'goal', target: 'target', by: 'date', cadence: 'Cadence', voice: 'Voice', platforms: 'Platforms', patternKeys: 'Patterns', email: 'Email', password: 'Password',
  views: 'Views', likes: 'Likes', comments: 'Comments', shares: 'Shares', saves: 'Saves', followers: 'Followers', platform: 'Platform',
  postedAt: 'Posted on', observedAt: 'Numbers read on', csv: 'CSV', lines: 'Rows',
  count: 'How many', targetDurationSec: 'Length (seconds)', shots: 'Shots', durationSec: 'length', onScreenText: 'on-screen text', callToAction: 'Call to action',
  // Settings → AI and the Usage page.
  provider: 'Provider', model: 'Model', baseUrl: 'Base URL', apiKey: 'API key', monthlyBudgetUsd: 'Monthly budget', from: 'Start date', to: 'End date',
  // Calendar → Queue.
  slots: 'Queue slot',
  // Analytics: its filters and the learning settings.
  accountId: 'Account', outcomeMetric: 'Outcome metric', outcomeHorizonHours: 'Horizon', exploration: 'Exploration',
}

// Keys nobody has named yet still read as words: "workspaceId" → "workspace id".
const wordsOf = (key: string) => fieldNames[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
const named = (parts: PropertyKey[]) => parts.map(part => wordsOf(String(part))).join(' ')
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

/** Where in the input a problem is, in the page's words: "Caption 3 text", "Hook line 2", "Silence removal margin". */
export function fieldOf(path: PropertyKey[]): string {
  // The Studio sends its edit as `recipe`; its fields are what the page shows.
  const [first, second, third, ...rest] = path[0] === 'recipe' ? path.slice(1) : path
  if (first === 'captions' && second === 'cues') return typeof third === 'number' ? `Caption ${third + 1} ${named(rest)}`.trim() : 'Captions'
  // The main hook line and caption style are the first alternative, so the numbers match the page's.
  if (first === 'variations' && typeof third === 'number') return `${wordsOf(String(second))} ${third + 1}`
  const words = [first, second, third, ...rest].filter(part => part !== undefined && typeof part !== 'number')
  return capitalised(named(words))
}

// zod's own messages ("Too big: expected string to have <=120 characters") where a schema gave none.
function plainMessage(issue: z.core.$ZodIssue): string {
  const unit = (count: number | bigint) => issue.code === 'too_big' || issue.code === 'too_small'
    ? { string: ` character${count === 1 ? '' : 's'}`, array: ` item${count === 1 ? '' : 's'}`, set: ` item${count === 1 ? '' : 's'}` }[issue.origin as string] ?? ''
    : ''
  if (issue.code === 'invalid_type') return issue.expected === 'number' ? 'a number is missing.' : 'it is missing or not the right kind.'
  if (issue.code === 'too_big' && issue.message.startsWith('Too big')) return `at most ${issue.maximum}${unit(issue.maximum)}.`
  if (issue.code === 'too_small' && issue.message.startsWith('Too small')) {
    return issue.origin === 'string' && Number(issue.minimum) === 1 ? 'it is empty.' : `at least ${issue.minimum}${unit(issue.minimum)}.`
  }
  if (issue.code === 'invalid_format' && issue.message.startsWith('Invalid')) return 'it is not in the expected form.'
  return issue.message
}

/** One issue as a sentence: "Hook text: at most 120 characters (this one has 500)." */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const message = plainMessage(issue)
  if (!issue.path.length) return capitalised(message)
  return `${fieldOf(issue.path)}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`
}

/** Every issue of a refusal, with paths a form can match its fields by, and one message naming the first few. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): { message: string, issues: InputIssue[] } {
  const described = issues.map(issue => ({
    path: issue.path.map(part => typeof part === 'number' ? part : String(part)),
    message: describeIssue(issue),
  }))
  const shown = described.slice(0, 3).map(issue => issue.message)
  const more = described.length - shown.length
  return { message: [...shown, ...(more > 0 ? [`(and ${more} more)`] : [])].join(' ') || 'The input was not accepted.', issues: described }
}
