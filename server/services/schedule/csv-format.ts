// The scheduled-posts CSV on its own, with no database: reading the header and each row's cells (dates, times, zones,
// the DST choice, tags), naming an account from what a person wrote, and writing the export with formulas escaped.
// `csv.ts` gives it the workspace's accounts and renders; unit tests give it strings.
import { stringify } from 'csv-stringify/sync'
import { platformNames, platforms, type PlatformKey } from '#shared/platforms/keys'
import { SCHEDULE_IMPORT_MAX_BYTES, SCHEDULE_IMPORT_MAX_ROWS, scheduleExportColumns, type ScheduleCsvColumn } from '#shared/schedule-csv'
import { isTimeZone, resolveWallTime, type Disambiguation } from '#shared/schedule-time'
import { badRequest } from '../errors'
import { headerKey, readCsvRecords } from '../references/csv'

const headerAliases: Record<string, ScheduleCsvColumn> = {
  date: 'date', day: 'date', post_date: 'date',
  time: 'time', hour: 'time', post_time: 'time',
  zone: 'zone', time_zone: 'zone', timezone: 'zone', tz: 'zone',
  account: 'account', account_id: 'account', channel: 'account', handle: 'account',
  render: 'render', render_id: 'render',
  caption: 'caption', text: 'caption', description: 'caption',
  title: 'title',
  tags: 'tags', keywords: 'tags',
  privacy: 'privacy', visibility: 'privacy',
  choice: 'choice', dst_choice: 'choice',
}
const requiredColumns: ScheduleCsvColumn[] = ['date', 'time', 'account', 'render']

export interface ScheduleCsvRow {
  line: number
  date: string
  time: string
  /** Whether the date, time and zone could be read (the wall time can then be placed). */
  readable: boolean
  /** As written; empty means the workspace's zone. */
  zone: string
  account: string
  render: string
  caption: string
  title: string | null
  tags: string[]
  privacy: string | null
  choice: Disambiguation | undefined
  /** What the cells alone get wrong; the database's checks come later. */
  errors: string[]
}

// The characters a spreadsheet reads as the start of a formula (OWASP's CSV injection list, with the full-width forms
// csv-stringify also escapes).
const formulaStart = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D]/

/** A cell that could start a formula, with the leading `'` that makes a spreadsheet show it as text. */
export function escapeFormula(cell: string): string {
  return formulaStart.test(cell) ? `'${cell}` : cell
}

/** The reverse of `escapeFormula`, so an exported file imports its captions as they were written. */
export function unescapeFormula(cell: string): string {
  return cell.startsWith('\'') && formulaStart.test(cell.slice(1)) ? cell.slice(1) : cell
}

/** Tags written with commas keep their spaces ("knife skills, prep"); without a comma, each word is a tag. */
export function splitTags(cell: string): string[] {
  const parts = cell.includes(',') ? cell.split(',') : cell.split(/\s+/)
  return parts.map(tag => tag.trim().replace(/^#/, '')).filter(Boolean)
}

export function readDate(cell: string): { value: string } | { error: string } {
  if (!cell) return { error: 'No date: write it as YYYY-MM-DD, like 2027-03-28.' }
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(cell)
  const [year, month, day] = match ? match.slice(1).map(Number) as [number, number, number] : [0, 0, 0]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (!match || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { error: `“${cell}” is not a date: write it as YYYY-MM-DD, like 2027-03-28.` }
  }
  return { value: cell }
}

export function readTime(cell: string): { value: string } | { error: string } {
  if (!cell) return { error: 'No time: write it as HH:mm on a 24-hour clock, like 09:00 or 18:30.' }
  const match = /^(\d{1,2}):(\d{2})$/.exec(cell)
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) return { error: `“${cell}” is not a time: write it as HH:mm on a 24-hour clock, like 09:00 or 18:30.` }
  return { value: `${match[1]!.padStart(2, '0')}:${match[2]}` }
}

/** The header and rows of an import; a file that cannot be imported at all (too big, unreadable, columns missing) is a 400. */
export function parseScheduleCsv(text: string): ScheduleCsvRow[] {
  const bytes = Buffer.byteLength(text)
  if (bytes > SCHEDULE_IMPORT_MAX_BYTES) throw badRequest(`The CSV is ${(bytes / 1024 / 1024).toFixed(1)} MB; at most 2 MB is imported at a time. Split it into smaller files.`)
  const read = readCsvRecords(text)
  if ('problem' in read) throw badRequest(read.problem)
  const [head, ...body] = read.records
  if (!head) throw badRequest(`The CSV is empty: it needs a header line (${requiredColumns.join(', ')}, caption…) and a row per account post.`)
  const fields = head.cells.map(cell => headerAliases[headerKey(cell)])
  const missing = requiredColumns.filter(column => !fields.includes(column))
  if (missing.length) throw badRequest(`The CSV has no ${missing.map(column => `“${column}”`).join(', ')} column. Its header needs ${requiredColumns.join(', ')} (and usually caption); download the template to see them.`)
  if (body.length > SCHEDULE_IMPORT_MAX_ROWS) throw badRequest(`The CSV has ${body.length.toLocaleString('en-GB')} rows; at most ${SCHEDULE_IMPORT_MAX_ROWS.toLocaleString('en-GB')} are imported at a time. Split it into smaller files.`)
  return body.map(({ line, cells }) => {
    const cell = (column: ScheduleCsvColumn) => {
      const index = fields.indexOf(column)
      return index < 0 ? '' : unescapeFormula(cells[index] ?? '')
    }
    const errors: string[] = []
    const date = readDate(cell('date'))
    const time = readTime(cell('time'))
    if ('error' in date) errors.push(date.error)
    if ('error' in time) errors.push(time.error)
    const zone = cell('zone')
    if (zone && !isTimeZone(zone)) errors.push(`“${zone}” is not a time zone we know: use an IANA name like Europe/Berlin, or leave it empty for the workspace's.`)
    const choice = cell('choice').toLowerCase()
    if (choice && choice !== 'earlier' && choice !== 'later') errors.push(`Choice “${cell('choice')}” is not one we read: write earlier or later (for a time the clocks skip or pass twice), or leave it empty.`)
    const tags = splitTags(cell('tags'))
    if (tags.length > 100 || tags.some(tag => tag.length > 100)) errors.push('Give at most 100 tags, each up to 100 characters.')
    const privacy = cell('privacy')
    if (privacy.length > 60) errors.push(`Privacy “${privacy.slice(0, 20)}…” is not a privacy setting; leave it empty or write one like PUBLIC_TO_EVERYONE.`)
    return {
      line, zone, errors, tags,
      readable: 'value' in date && 'value' in time && (!zone || isTimeZone(zone)),
      date: 'value' in date ? date.value : cell('date'),
      time: 'value' in time ? time.value : cell('time'),
      account: cell('account'), render: cell('render').toLowerCase(), caption: cell('caption'),
      title: cell('title') || null, privacy: privacy || null,
      choice: choice === 'earlier' || choice === 'later' ? choice : undefined,
    }
  })
}

export interface NamedAccount { id: string, platform: PlatformKey, handle: string | null, displayName: string | null, externalId: string }

const comparable = (text: string) => text.trim().replace(/^@/, '').toLowerCase()
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (text: string) => uuidPattern.test(text)

export const accountLabel = (account: NamedAccount) => `${platformNames[account.platform]} ${account.displayName ?? account.handle ?? account.externalId}`
/** How an export names an account: `platform:handle`, the form that names one account in any workspace that has it. */
export const accountReference = (account: NamedAccount) => `${account.platform}:${account.handle ?? account.displayName ?? account.externalId}`

function platformOf(prefix: string): PlatformKey | undefined {
  const wanted = prefix.trim().toLowerCase()
  return platforms.find(platform => platform === wanted || platformNames[platform].toLowerCase() === wanted)
}

/** The account a cell names: its id, its handle or name as the Accounts page shows it, or `platform:handle`. */
export function matchAccount(cell: string, accounts: NamedAccount[]): { account: NamedAccount } | { error: string } {
  if (!cell) return { error: 'No account: write its handle or name as the Accounts page shows it, platform:handle, or its id.' }
  if (isUuid(cell)) {
    const account = accounts.find(each => each.id.toLowerCase() === cell.toLowerCase())
    return account ? { account } : { error: `No account of this workspace has the id “${cell}”. Check it on the Accounts page.` }
  }
  const colon = cell.indexOf(':')
  const platform = colon > 0 ? platformOf(cell.slice(0, colon)) : undefined
  const rest = platform ? cell.slice(colon + 1).trim() : cell
  const name = comparable(rest)
  const found = accounts.filter(account => (!platform || account.platform === platform)
    && ([account.handle, account.displayName].some(each => each && comparable(each) === name) || (!!platform && account.externalId === rest)))
  if (found.length === 1) return { account: found[0]! }
  if (found.length > 1) return { error: `“${cell}” could be ${found.map(accountLabel).join(' or ')}. Write platform:handle (like ${accountReference(found[0]!)}) or the account's id.` }
  const known = accounts.slice(0, 5).map(each => accountReference(each)).join(', ')
  return { error: `No connected account is called “${cell}”. ${known ? `This workspace has ${known}${accounts.length > 5 ? '…' : ''}.` : 'Connect it on the Accounts page first.'}` }
}

export interface ExportPost {
  scheduledAt: Date
  wall: string
  zone: string
  account: NamedAccount
  renderId: string | null
  caption: string
  title: string | null
  tags: string[]
  privacy: string | null
  state: string
  permalink: string | null
  error: string | null
}

/** Which moment a stored wall time meant, when the clocks skip it or pass it twice; empty when it names one. */
export function choiceOf(wall: string, zone: string, scheduledAt: Date): Disambiguation | '' {
  const resolved = resolveWallTime(wall, zone)
  if (resolved.kind === 'exact') return ''
  const first = resolved.kind === 'gap' ? resolved.before : resolved.earlier
  return Date.parse(first) === scheduledAt.getTime() ? 'earlier' : 'later'
}

/** The export: the import's columns (so it reads back), then how each account's post went; formulas escaped. */
export function exportText(posts: ExportPost[]): string {
  const rows = posts.map(post => [
    post.wall.slice(0, 10), post.wall.slice(11, 16), post.zone, accountReference(post.account), post.renderId ?? '',
    post.caption, post.title ?? '', post.tags.join(', '), post.privacy ?? '', choiceOf(post.wall, post.zone, post.scheduledAt),
    post.state, post.permalink ?? '', post.error ?? '',
  ].map(escapeFormula))
  return stringify([[...scheduleExportColumns], ...rows], { bom: true })
}
