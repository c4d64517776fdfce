// The reference-numbers CSV: read with csv-parse (each record keeps the line it starts on), its headers matched to
// our fields whatever a spreadsheet called them, every cell checked, and each row matched to a video of the Library.
// Pure: the import service gives it the text, the workspace's zone and videos; unit tests give it strings.
import { parse } from 'csv-parse/sync'
import { CsvError } from 'csv-parse'
import { stringify } from 'csv-stringify/sync'
import type { PlatformKey } from '#shared/recipe'
import {
  countFields, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, parseCount, parsePlatform, platformLabels,
  type CountField, type ImportPreview, type ImportProblem, type ImportRow,
} from '#shared/references'
import { readDate } from './dates'

type Field = CountField | 'id' | 'title' | 'platform' | 'postedAt' | 'observedAt'

// Headers as spreadsheets and platform exports write them, lower-cased with anything but letters and digits as "_".
const headerAliases: Record<string, Field> = {
  id: 'id', video_id: 'id', videoid: 'id', reelwise_id: 'id',
  title: 'title', video: 'title', name: 'title', video_title: 'title', filename: 'title', file: 'title', file_name: 'title', original_filename: 'title',
  platform: 'platform', network: 'platform', app: 'platform',
  views: 'views', view_count: 'views', views_count: 'views', plays: 'views', play_count: 'views', video_views: 'views',
  likes: 'likes', like_count: 'likes', likes_count: 'likes', hearts: 'likes',
  comments: 'comments', comment_count: 'comments', comments_count: 'comments',
  shares: 'shares', share_count: 'shares', shares_count: 'shares',
  saves: 'saves', save_count: 'saves', saves_count: 'saves', bookmarks: 'saves',
  followers: 'followers', follower_count: 'followers', followers_count: 'followers', subscribers: 'followers', subscriber_count: 'followers',
  posted_at: 'postedAt', posted: 'postedAt', posted_on: 'postedAt', date: 'postedAt', post_date: 'postedAt', published: 'postedAt', published_at: 'postedAt', upload_date: 'postedAt',
  observed_at: 'observedAt', observed: 'observedAt', read_at: 'observedAt', as_of: 'observedAt', numbers_date: 'observedAt',
}

export const templateColumns = ['id', 'title', 'platform', 'views', 'likes', 'comments', 'shares', 'saves', 'followers', 'posted_at'] as const

export const headerKey = (header: string) => header.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')

/** The delimiter of the header line: comma, semicolon (spreadsheets in much of Europe) or tab, whichever it has most of. */
function delimiterOf(text: string): string {
  const header = text.slice(0, text.search(/\r?\n|$/))
  const counts = [',', ';', '\t'].map(delimiter => ({ delimiter, count: header.split(delimiter).length - 1 }))
  return counts.sort((a, b) => b.count - a.count)[0]!.count > 0 ? counts[0]!.delimiter : ','
}

export interface ParsedRow {
  line: number
  id: string | null
  title: string | null
  values: ImportRow['values']
  problems: ImportProblem[]
}

export interface ParsedCsv {
  fileProblems: string[]
  columns: { column: string, field: string }[]
  ignoredColumns: string[]
  rows: ParsedRow[]
}

export interface CsvRecord { line: number, cells: string[] }

/**
 * The records of a CSV (comma, semicolon or tab), each with the line it starts on, blank ones left out; or the reason
 * it cannot be read, in words. Shared by the imports (reference numbers, scheduled posts).
 */
export function readCsvRecords(text: string): { records: CsvRecord[] } | { problem: string } {
  let parsed: { record: string[], info: { lines: number, empty_lines: number } }[]
  try {
    // With `info`, csv-parse gives each record with where it ends; its types describe the plain form only.
    parsed = parse(text, { bom: true, delimiter: delimiterOf(text), info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof parsed
  }
  catch (error) {
    if (error instanceof CsvError) return { problem: `Line ${(error as CsvError & { lines?: number }).lines ?? '?'}: ${csvErrorWords[error.code] ?? 'the CSV cannot be read there'}. Fix the file and try again.` }
    throw error
  }
  const records: CsvRecord[] = []
  let previousEnd = 0
  let previousEmpty = 0
  for (const { record, info } of parsed) {
    // A record starts on the line after the previous one ended, past the blank lines skipped between them.
    const line = previousEnd + 1 + (info.empty_lines - previousEmpty)
    previousEnd = info.lines
    previousEmpty = info.empty_lines
    if (record.some(cell => cell !== '') || !records.length) records.push({ line, cells: record })
  }
  return { records }
}

const csvErrorWords: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote (") is opened and never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a quote (") closes a cell but more text follows it in the same cell',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text follows a closing quote (") in the same cell',
}

/** Reads the CSV's header and cells. Nothing here knows the Library; `matchRows` does that. */
export function parseReferenceCsv(text: string, zone: string, now: Date): ParsedCsv {
  const empty = (problem: string): ParsedCsv => ({ fileProblems: [problem], columns: [], ignoredColumns: [], rows: [] })
  const bytes = Buffer.byteLength(text)
  if (bytes > IMPORT_MAX_BYTES) return empty(`The CSV is ${(bytes / 1024 / 1024).toFixed(1)} MB; at most 1 MB (about ${IMPORT_MAX_ROWS.toLocaleString('en-GB')} rows) is read at a time. Split it into smaller files.`)
  const read = readCsvRecords(text)
  if ('problem' in read) return empty(read.problem)
  const records = read.records
  const [head, ...body] = records
  if (!head) return empty('The CSV is empty: it needs a header line (id or title, views, followers…) and a row per video.')
  const headers = head.cells
  const fields = headers.map(header => headerAliases[headerKey(header)])
  const columns = headers.flatMap((column, index) => fields[index] ? [{ column, field: fields[index]! }] : [])
  const ignoredColumns = headers.filter((header, index) => !fields[index] && header !== '')
  const fileProblems: string[] = []
  if (!fields.includes('id') && !fields.includes('title')) fileProblems.push(`No column names the video. Add an “id” or “title” column (a file name works too); the columns found are ${headers.map(header => `“${header}”`).join(', ')}.`)
  if (!fields.some(field => field && (countFields as readonly string[]).includes(field))) fileProblems.push('No column holds numbers. Add at least one of views, likes, comments, shares, saves or followers.')
  const duplicates = [...new Set(fields.filter((field, index) => field && fields.indexOf(field) !== index && field !== 'title'))]
  for (const field of duplicates) fileProblems.push(`Two columns hold ${field === 'postedAt' ? 'the posting date' : field}: ${columns.filter(column => column.field === field).map(column => `“${column.column}”`).join(' and ')}. Keep one.`)
  const rows = body
  if (rows.length > IMPORT_MAX_ROWS) fileProblems.push(`The CSV has ${rows.length.toLocaleString('en-GB')} rows; at most ${IMPORT_MAX_ROWS.toLocaleString('en-GB')} are imported at a time. Split it into smaller files.`)
  if (fileProblems.length) return { fileProblems, columns, ignoredColumns, rows: [] }

  const parsed = body.map(({ cells, line }) => readRow(cells, line, headers, fields, zone, now))
  return { fileProblems, columns, ignoredColumns, rows: parsed }
}

function readRow(record: string[], line: number, headers: string[], fields: (Field | undefined)[], zone: string, now: Date): ParsedRow {
  const row: ParsedRow = { line, id: null, title: null, values: {}, problems: [] }
  if (record.length > headers.length && record.slice(headers.length).some(cell => cell !== '')) {
    row.problems.push({ column: null, message: `This row has ${record.length} cells but the header has ${headers.length} columns; a number written 12,400 needs quotes ("12,400") in a comma-separated file.` })
  }
  fields.forEach((field, index) => {
    const cell = record[index] ?? ''
    const column = headers[index]!
    if (!field) return
    if (field === 'id') row.id = cell || row.id
    else if (field === 'title') row.title = row.title || cell || null
    else if (field === 'platform') {
      if (!cell) return
      const platform = parsePlatform(cell)
      if (platform) row.values.platform = platform
      else row.problems.push({ column, message: `“${cell}” is not a platform we know; write ${Object.values(platformLabels).join(', ')}.` })
    }
    else if (field === 'postedAt' || field === 'observedAt') {
      const read = readDate(cell, zone, now, field === 'postedAt' ? 'posting date' : 'date the numbers were read')
      if (!read.ok) row.problems.push({ column, message: read.message })
      else if (read.value) row.values[field] = read.value.toISOString()
    }
    else {
      const count = parseCount(cell)
      if (!count.ok) row.problems.push({ column, message: count.message })
      else if (count.value !== null) row.values[field] = count.value
    }
  })
  const { postedAt, observedAt } = row.values
  if (postedAt && observedAt && postedAt > observedAt) row.problems.push({ column: null, message: 'The posting date is after the date the numbers were read.' })
  if (!countFields.some(field => row.values[field] !== undefined)) row.problems.push({ column: null, message: 'No numbers in this row: give at least views or followers.' })
  return row
}

export interface LibraryEntry { id: string, title: string, originalFilename: string | null, kind: 'reference' | 'footage', hasPerformance: boolean }

const comparable = (text: string) => text.trim().toLowerCase()
const withoutExtension = (name: string) => name.replace(/\.[a-z0-9]{2,4}$/i, '')

/** Finds each row's video: by id first, else by title or file name (case-insensitive); says when none or several match. */
export function matchRows(parsed: ParsedCsv, videos: LibraryEntry[]): ImportPreview {
  const byId = new Map(videos.map(video => [video.id.toLowerCase(), video]))
  const seen = new Map<string, number>()
  const rows = parsed.rows.map((row): ImportRow => {
    const problems = [...row.problems]
    const identifier = row.id ?? row.title ?? ''
    let video: LibraryEntry | undefined
    if (row.id) {
      video = byId.get(row.id.toLowerCase())
      if (!video && !row.title) problems.unshift({ column: null, message: `No video of this Library has the id “${row.id}”.` })
    }
    if (!video && row.title) {
      const wanted = comparable(row.title)
      // An id pasted in a "video" or "title" column still names its video.
      const found = byId.has(wanted) ? [byId.get(wanted)!] : videos.filter(each => comparable(each.title) === wanted || (each.originalFilename && (comparable(each.originalFilename) === wanted || comparable(withoutExtension(each.originalFilename)) === wanted)))
      if (found.length === 1) video = found[0]
      else if (found.length > 1) problems.unshift({ column: null, message: `“${row.title}” matches ${found.length} videos (${found.slice(0, 3).map(each => `“${each.title}”`).join(', ')}); add an id column to say which (the template has one).` })
      else problems.unshift({ column: null, message: `No video titled “${row.title}” (nor with that file name) is in the Library.${row.id ? ` The id “${row.id}” matches none either.` : ''}` })
    }
    if (!row.id && !row.title) problems.unshift({ column: null, message: 'This row names no video: fill in its id or title.' })
    if (video?.kind === 'footage') problems.push({ column: null, message: `“${video.title}” is footage; only reference videos carry public numbers. Mark it as a reference on its page first.` })
    if (video) {
      const earlier = seen.get(video.id)
      if (earlier !== undefined) problems.push({ column: null, message: `Line ${earlier} already gives the numbers of “${video.title}”; keep one row per video.` })
      else seen.set(video.id, row.line)
    }
    return {
      line: row.line,
      identifier,
      video: video ? { id: video.id, title: video.title, kind: video.kind } : null,
      values: row.values,
      problems,
      replaces: video?.hasPerformance ?? false,
    }
  })
  return { fileProblems: parsed.fileProblems, columns: parsed.columns, ignoredColumns: parsed.ignoredColumns, rows, validRows: rows.filter(row => !row.problems.length).length }
}

export interface TemplateVideo { id: string, title: string, performance: { platform: PlatformKey | null, postedAt: Date | null } & Partial<Record<CountField, bigint | null>> | null }

/** The template: a row per reference video with its id and title, and the numbers it already has; formulas escaped. */
export function templateCsv(videos: TemplateVideo[]): string {
  const rows = videos.map(({ id, title, performance }) => [
    id, title, performance?.platform ?? '',
    ...countFields.map(field => performance?.[field]?.toString() ?? ''),
    performance?.postedAt?.toISOString().slice(0, 10) ?? '',
  ])
  return stringify([[...templateColumns], ...rows], { escape_formulas: true, bom: true })
}
