// The scheduled-posts CSV without a database: formula escaping both ways, the cells of a row (dates, times, zones, the
// DST choice, tags), naming an account, and the export's columns.
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { SCHEDULE_IMPORT_MAX_ROWS } from '../../shared/schedule-csv'
import {
  choiceOf, escapeFormula, exportText, matchAccount, parseScheduleCsv, splitTags, unescapeFormula, type NamedAccount,
} from '../../server/services/schedule/csv-format'

const accounts: NamedAccount[] = [
  { id: '0190a0b0-0000-7000-8000-000000000001', platform: 'tiktok', handle: 'chef', displayName: 'Chef Tok', externalId: 'open-1' },
  { id: '0190a0b0-0000-7000-8000-000000000002', platform: 'instagram', handle: 'chef', displayName: 'Chef Gram', externalId: 'ig-2' },
  { id: '0190a0b0-0000-7000-8000-000000000003', platform: 'youtube', handle: null, displayName: 'Knife Skills', externalId: 'UC3' },
]

describe('formula escaping', () => {
  it.each(['=HYPERLINK("https://evil.example","x")', '+1', '-2', '@SUM(A1)', '\tTab', '\rReturn'])('escapes %j with a leading quote, and reads it back', (cell) => {
    expect(escapeFormula(cell)).toBe(`'${cell}`)
    expect(unescapeFormula(escapeFormula(cell))).toBe(cell)
  })

  it('leaves plain text alone, and a quote that escapes nothing', () => {
    expect(escapeFormula('Three knife mistakes #cooking')).toBe('Three knife mistakes #cooking')
    expect(unescapeFormula('\'tis the season')).toBe('\'tis the season')
  })

  it('escapes every cell of an export, captions and account names alike', () => {
    const text = exportText([{
      scheduledAt: new Date('2027-02-01T07:00:00Z'), wall: '2027-02-01T08:00', zone: 'Europe/Berlin',
      account: { ...accounts[2]!, displayName: '=Knife' }, renderId: 'r1', caption: '=HYPERLINK("https://evil.example","x")',
      title: '+Title', tags: ['a', 'b c'], privacy: null, state: 'failed', permalink: null, error: '-1 quota left',
    }])
    const [head, row] = parse(text, { bom: true }) as string[][]
    expect(head).toEqual(['date', 'time', 'zone', 'account', 'render', 'caption', 'title', 'tags', 'privacy', 'choice', 'state', 'permalink', 'error'])
    expect(row).toEqual(['2027-02-01', '08:00', 'Europe/Berlin', 'youtube:=Knife', 'r1', '\'=HYPERLINK("https://evil.example","x")', '\'+Title', 'a, b c', '', '', 'failed', '', '\'-1 quota left'])
  })
})

describe('reading the rows', () => {
  it('reads the header in any case, semicolons too, and each row with its line', () => {
    const rows = parseScheduleCsv('Date;TIME;Zone;Account;Render;Caption;Tags;Choice\n2027-02-01;9:05;;@chef;ABC;\'=1+1;"a, b c";Later\n\n2027-13-01;24:00;Mars/Base;chef;x;;;maybe\n')
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatchObject({ line: 2, date: '2027-02-01', time: '09:05', zone: '', account: '@chef', render: 'abc', caption: '=1+1', tags: ['a', 'b c'], choice: 'later', readable: true, errors: [] })
    expect(rows[1]!.line).toBe(4)
    expect(rows[1]!.readable).toBe(false)
    expect(rows[1]!.errors).toEqual([
      '“2027-13-01” is not a date: write it as YYYY-MM-DD, like 2027-03-28.',
      '“24:00” is not a time: write it as HH:mm on a 24-hour clock, like 09:00 or 18:30.',
      '“Mars/Base” is not a time zone we know: use an IANA name like Europe/Berlin, or leave it empty for the workspace\'s.',
      'Choice “maybe” is not one we read: write earlier or later (for a time the clocks skip or pass twice), or leave it empty.',
    ])
  })

  it('refuses a file without the columns it needs, or with too many rows, in words', () => {
    expect(() => parseScheduleCsv('date,time,caption\n2027-02-01,09:00,Hi\n')).toThrow('The CSV has no “account”, “render” column.')
    const many = `date,time,account,render\n${'2027-02-01,09:00,chef,x\n'.repeat(SCHEDULE_IMPORT_MAX_ROWS + 1)}`
    expect(() => parseScheduleCsv(many)).toThrow('The CSV has 2,001 rows; at most 2,000 are imported at a time. Split it into smaller files.')
    expect(() => parseScheduleCsv(`date,time,account,render,caption\n2027-02-01,09:00,chef,x,${'x'.repeat(2 * 1024 * 1024)}\n`)).toThrow(/The CSV is 2\.0 MB; at most 2 MB is imported at a time/)
    expect(() => parseScheduleCsv('date,time,account,render\n2027-02-01,"09:00,chef,x\n')).toThrow(/Line \d+: a quote \("\) is opened and never closed/)
  })

  it('splits tags on commas when there are any, else on spaces', () => {
    expect(splitTags('knife skills, #prep ,')).toEqual(['knife skills', 'prep'])
    expect(splitTags('knife  prep #food')).toEqual(['knife', 'prep', 'food'])
    expect(splitTags('')).toEqual([])
  })
})

describe('naming an account', () => {
  it('finds it by id, by name, or by platform:handle', () => {
    expect(matchAccount(accounts[0]!.id.toUpperCase(), accounts)).toEqual({ account: accounts[0] })
    expect(matchAccount('knife skills', accounts)).toEqual({ account: accounts[2] })
    expect(matchAccount('Chef Gram', accounts)).toEqual({ account: accounts[1] })
    expect(matchAccount('tiktok:@chef', accounts)).toEqual({ account: accounts[0] })
    expect(matchAccount('Instagram:chef', accounts)).toEqual({ account: accounts[1] })
    expect(matchAccount('youtube:UC3', accounts)).toEqual({ account: accounts[2] })
  })

  it('says when a name fits two accounts, or none', () => {
    expect(matchAccount('@chef', accounts)).toEqual({ error: '“@chef” could be TikTok Chef Tok or Instagram Chef Gram. Write platform:handle (like tiktok:chef) or the account\'s id.' })
    expect(matchAccount('nobody', accounts)).toEqual({ error: 'No connected account is called “nobody”. This workspace has tiktok:chef, instagram:chef, youtube:Knife Skills.' })
    expect(matchAccount('', accounts)).toMatchObject({ error: expect.stringMatching(/^No account/) })
  })
})

describe('the DST choice an export writes', () => {
  it('names the moment a wall time in the gap or the overlap was placed at', () => {
    expect(choiceOf('2027-03-28T02:30', 'Europe/Berlin', new Date('2027-03-28T01:30:00Z'))).toBe('later')
    expect(choiceOf('2027-03-28T02:30', 'Europe/Berlin', new Date('2027-03-28T00:30:00Z'))).toBe('earlier')
    expect(choiceOf('2027-10-31T02:30', 'Europe/Berlin', new Date('2027-10-31T00:30:00Z'))).toBe('earlier')
    expect(choiceOf('2027-10-31T02:30', 'Europe/Berlin', new Date('2027-10-31T01:30:00Z'))).toBe('later')
    expect(choiceOf('2027-02-01T08:00', 'Europe/Berlin', new Date('2027-02-01T07:00:00Z'))).toBe('')
  })
})
