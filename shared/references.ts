import { z } from 'zod'
import { platforms, type PlatformKey } from './recipe'

// A reference video's public numbers (views, likes, followers…), as the video page's form, the CSV import and their
// routes read them. Counts may be written the way platforms show them: 12400, "12,400", "1.2K", "3.4M".

export const platformLabels: Record<PlatformKey, string> = { instagram: 'Instagram', tiktok: 'TikTok', youtube: 'YouTube', facebook: 'Facebook' }

// What people write in a "platform" cell, lower-cased with spaces and punctuation removed.
const platformAliases: Record<string, PlatformKey> = {
  instagram: 'instagram', ig: 'instagram', insta: 'instagram', reels: 'instagram', instagramreels: 'instagram', reel: 'instagram',
  tiktok: 'tiktok', tt: 'tiktok',
  youtube: 'youtube', yt: 'youtube', shorts: 'youtube', youtubeshorts: 'youtube',
  facebook: 'facebook', fb: 'facebook', facebookreels: 'facebook',
}

/** "Instagram Reels" → instagram; undefined when the text names no platform we know. */
export function parsePlatform(text: string): PlatformKey | undefined {
  return platformAliases[text.toLowerCase().replace(/[^a-z]/g, '')]
}

export const countFields = ['views', 'likes', 'comments', 'shares', 'saves', 'followers'] as const
export type CountField = typeof countFields[number]

export const countLabels: Record<CountField, string> = { views: 'Views', likes: 'Likes', comments: 'Comments', shares: 'Shares', saves: 'Saves', followers: 'Followers' }

// A trillion is beyond any real count; larger is a typo, and would not survive as a JavaScript number.
export const MAX_COUNT = 1e12
const suffixes: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9 }
// "Not given" in a spreadsheet cell.
const blanks = new Set(['', '-', '–', '—', 'n/a', 'na', 'null', 'none', '?'])

export type CountParse = { ok: true, value: number | null } | { ok: false, message: string }

/**
 * "12,400" → 12400, "1.2K" → 1200, "3,4M" → 3400000, "" → null (not given). Commas and spaces group thousands; with
 * a K/M/B suffix a comma may also be the decimal mark (as Europe writes it). Counts are whole and not negative.
 */
export function parseCount(input: string | number | null | undefined): CountParse {
  if (input === null || input === undefined) return { ok: true, value: null }
  if (typeof input === 'number') return checkCount(input, String(input))
  const text = input.trim().replace(/[\s\u00a0\u202f_']/g, '')
  if (blanks.has(text.toLowerCase())) return { ok: true, value: null }
  const suffixed = /^(\d+(?:[.,]\d+)?)([kmb])$/i.exec(text)
  if (suffixed) return checkCount(Math.round(Number(suffixed[1]!.replace(',', '.')) * suffixes[suffixed[2]!.toLowerCase()]!), input)
  if (/^\d{1,3}(,\d{3})+$/.test(text) || /^\d{1,3}(\.\d{3}){2,}$/.test(text)) return checkCount(Number(text.replace(/[.,]/g, '')), input)
  if (/^\d+(\.0+)?$/.test(text)) return checkCount(Number(text), input)
  if (/^-/.test(text)) return { ok: false, message: `“${input.trim()}” is negative; counts start at 0.` }
  if (/^\d+[.,]\d+$/.test(text)) return { ok: false, message: `“${input.trim()}” is not a whole number; write it as 12400, 12,400 or 12.4K.` }
  return { ok: false, message: `“${input.trim()}” is not a number; write it as 12400, 12,400, 1.2K or 3.4M.` }
}

function checkCount(value: number, shown: string): CountParse {
  if (!Number.isFinite(value)) return { ok: false, message: `“${shown}” is not a number; write it as 12400, 12,400, 1.2K or 3.4M.` }
  if (value < 0) return { ok: false, message: `“${shown}” is negative; counts start at 0.` }
  if (!Number.isInteger(value)) return { ok: false, message: `“${shown}” is not a whole number; write it as 12400, 12,400 or 12.4K.` }
  if (value > MAX_COUNT) return { ok: false, message: `“${shown}” is more than a trillion; check the number.` }
  return { ok: true, value }
}

/** A count field of the form and the API: a number, or text such as "12,400" or "1.2K"; empty means not given. */
export const countInput = z.union([z.number(), z.string(), z.null()]).optional().transform((value, context) => {
  const parsed = parseCount(value)
  if (parsed.ok) return parsed.value
  context.addIssue({ code: 'custom', message: parsed.message })
  return z.NEVER
})

const dateOnly = /^\d{4}-\d{2}-\d{2}$/
const dateTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i

/** Whether a text is a date we read: 2026-11-01, or with a time (2026-11-01 18:30, 2026-11-01T18:30:00Z). */
export function isDateText(text: string): boolean {
  return (dateOnly.test(text) || dateTime.test(text)) && !Number.isNaN(Date.parse(text.slice(0, 10)))
}

const dateField = (what: string) => z.union([z.string().trim(), z.null()]).optional()
  .transform(value => value || null)
  .refine(value => value === null || isDateText(value), { message: `write the ${what} as a date, e.g. 2026-11-01 (year-month-day).` })

/** The fields one by one, for the form (which shows each field's problem where it is typed). */
export const referencePerformanceFields = z.object({
  platform: z.enum(platforms, { error: 'Choose Instagram, TikTok, YouTube or Facebook.' }).nullable().optional(),
  views: countInput,
  likes: countInput,
  comments: countInput,
  shares: countInput,
  saves: countInput,
  followers: countInput,
  postedAt: dateField('posting date'),
  // When the numbers were read; today when left out.
  observedAt: dateField('date the numbers were read'),
})

export const referencePerformanceInput = referencePerformanceFields.refine(input => countFields.some(field => input[field] !== null), {
  message: 'Give at least one number: views, likes, comments, shares, saves or followers.',
})

export type ReferencePerformanceInput = z.input<typeof referencePerformanceInput>

/** The normalised score of one reference, or why it has none (see server/services/patterns/performance.ts). */
export interface PerformanceScore {
  /** ln(views per follower, age-adjusted) minus the median of the workspace's references on the same platform; null when not computable. */
  value: number | null
  /** Why there is no score ("No follower count"), or what was assumed ("Posting date unknown: counted as settled"). */
  note: string | null
  /** Days between posting and reading the numbers, when both are known. */
  ageDays: number | null
  /** How many of the workspace's scored references share its platform (the median it is measured against). */
  platformPeers: number
}

/** A reference video's numbers as the pages read them (counts as numbers, dates as ISO strings). */
export interface ReferencePerformanceView {
  platform: PlatformKey | null
  views: number | null
  likes: number | null
  comments: number | null
  shares: number | null
  saves: number | null
  followers: number | null
  postedAt: string | null
  observedAt: string
  /** manual | csv */
  source: string
  updatedAt: string
  score: PerformanceScore
}

/** "×1.5", "×0.42": a score (natural log) as the multiple of the platform's median views per follower. */
export function formatMultiple(score: number): string {
  const multiple = Math.exp(score)
  return `×${multiple >= 10 ? Math.round(multiple) : multiple >= 1 ? multiple.toFixed(1) : Number(multiple.toPrecision(2))}`
}

/** 12400 → "12.4K", 3400000 → "3.4M": counts as platforms show them. */
export function formatCount(value: number): string {
  const units: [number, string][] = [[1e9, 'B'], [1e6, 'M'], [1e3, 'K']]
  for (const [size, unit] of units) {
    if (value >= size) return `${Number((value / size).toFixed(value / size >= 100 ? 0 : 1))}${unit}`
  }
  return String(value)
}

// The CSV import: limits, and what the preview says of each row.

export const IMPORT_MAX_BYTES = 1024 * 1024
export const IMPORT_MAX_ROWS = 2000

export const importRequest = z.object({
  csv: z.string({ error: 'Paste the CSV or pick a file.' })
    .min(1, 'The CSV is empty: paste it or pick a file.')
    .max(IMPORT_MAX_BYTES, `at most 1 MB (about ${IMPORT_MAX_ROWS.toLocaleString('en-GB')} rows) is read at a time; split it into smaller files.`),
  // The records the person confirmed in the preview (their line numbers); left out, every valid row is imported.
  lines: z.array(z.number().int().positive()).max(IMPORT_MAX_ROWS).optional(),
})

export interface ImportProblem {
  /** The column as the CSV names it, or null for the whole row. */
  column: string | null
  message: string
}

export interface ImportRow {
  /** The line of the CSV the record starts on (the header is line 1). */
  line: number
  /** What the row names the video by: its id, title or file name, as written. */
  identifier: string
  video: { id: string, title: string, kind: 'reference' | 'footage' } | null
  values: Partial<Record<CountField, number | null>> & { platform?: PlatformKey | null, postedAt?: string | null, observedAt?: string | null }
  problems: ImportProblem[]
  /** Whether the video has numbers already (they are replaced column by column). */
  replaces: boolean
}

export interface ImportPreview {
  /** Problems with the whole file (no header naming the video, too many rows, a broken quote); nothing is imported then. */
  fileProblems: string[]
  /** Columns the import reads, as the CSV names them, with the field each fills. */
  columns: { column: string, field: string }[]
  /** Columns it does not know, which are left aside. */
  ignoredColumns: string[]
  rows: ImportRow[]
  validRows: number
}

export interface ImportResult extends ImportPreview {
  imported: number
}
