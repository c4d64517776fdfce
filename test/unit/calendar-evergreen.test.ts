import { describe, expect, it } from 'vitest'
import { evergreenInput } from '../../shared/calendar'
import { evergreenRule } from '../../utils/calendarEvergreen'

// The rotation form's rule, and what the server accepts of it.
describe('evergreen rule from the chosen days', () => {
  it('orders the days Monday first, whatever order they were clicked in', () => {
    expect(evergreenRule(['TH', 'TU'])).toBe('FREQ=WEEKLY;BYDAY=TU,TH')
  })

  it('reads every day as daily', () => {
    expect(evergreenRule(['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'])).toBe('FREQ=DAILY')
  })

  it('makes a rule the server takes, and the server refuses one rotation render', () => {
    const base = { targets: [{ accountId: '0191a0a0-0000-7000-8000-000000000001', privacy: null, options: {}, tags: [] }], rule: evergreenRule(['MO']), start: { wall: '2027-01-04T18:00', zone: 'Europe/Berlin' }, minGapDays: 7 }
    const render = (n: number) => ({ renderId: `0191a0a0-0000-7000-8000-00000000001${n}`, caption: 'Knife skills', title: null })
    expect(evergreenInput.safeParse({ ...base, items: [render(1), render(2)] }).success).toBe(true)
    const single = evergreenInput.safeParse({ ...base, items: [render(1)] })
    expect(single.success).toBe(false)
    expect(single.error!.issues[0]!.message).toBe('Choose at least two renders to rotate.')
  })
})
