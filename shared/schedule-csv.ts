// Scheduled posts in and out as CSV: the columns, the limits, the request bodies and what the preview answers. Shared by
// the calendar's import dialog and the routes, so both speak of the same columns and limits.
import { z } from 'zod'

/** The columns an import reads (header row, any case) and a template offers, in order. */
export const scheduleCsvColumns = ['date', 'time', 'zone', 'account', 'render', 'caption', 'title', 'tags', 'privacy', 'choice'] as const
/** An export adds how each account's post went. */
export const scheduleExportColumns = [...scheduleCsvColumns, 'state', 'permalink', 'error'] as const
export type ScheduleCsvColumn = typeof scheduleCsvColumns[number]

export const SCHEDULE_IMPORT_MAX_ROWS = 2000
export const SCHEDULE_IMPORT_MAX_BYTES = 2 * 1024 * 1024
const MAX_EXPORT_DAYS = 100

export const scheduleImportRequest = z.object({
  csv: z.string({ error: 'Paste the CSV or pick a file.' })
    .min(1, 'The CSV is empty: paste it or pick a file.')
    // Characters, not bytes; the service counts the bytes and says so in megabytes.
    .max(SCHEDULE_IMPORT_MAX_BYTES, `at most 2 MB (${SCHEDULE_IMPORT_MAX_ROWS.toLocaleString('en-GB')} rows) is read at a time; split it into smaller files.`),
  // Lines the person chose to leave out (the bad rows, usually); every other row is imported.
  excludeLines: z.array(z.number().int().positive()).max(SCHEDULE_IMPORT_MAX_ROWS + 1).optional(),
})
export type ScheduleImportRequest = z.infer<typeof scheduleImportRequest>

export const scheduleExportQuery = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
}).refine(query => Date.parse(query.to) > Date.parse(query.from), 'The window must end after it starts.')
  .refine(query => Date.parse(query.to) - Date.parse(query.from) <= MAX_EXPORT_DAYS * 86_400_000, `Export at most ${MAX_EXPORT_DAYS} days at a time.`)
export type ScheduleExportQuery = z.infer<typeof scheduleExportQuery>

export interface ScheduleImportRow {
  /** The line of the file the row starts on (the header is line 1). */
  line: number
  date: string
  time: string
  /** The zone the time is read in: the row's, or the workspace's when the row gives none. */
  zone: string
  account: string
  render: string
  /** The caption's first characters, for the table. */
  caption: string
  /** Left out by the person: not imported, and its errors do not block the others. */
  excluded: boolean
  errors: string[]
}

export interface ScheduleImportPreview {
  rows: ScheduleImportRow[]
  /** Rows to import without a problem, and rows with one (left-out rows count in neither). */
  valid: number
  invalid: number
  /** Posts the valid rows make on the calendar: rows with the same date, time and render are one post to several accounts. */
  posts: number
}

export interface ScheduleImportResult {
  /** Account posts written (one per valid row). */
  created: number
  /** Posts on the calendar (groups). */
  groups: number
}
