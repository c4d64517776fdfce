import { describe, expect, it } from 'vitest'
import { expandSlots, normaliseSlots, storedSlots } from '../../server/services/schedule/queue'

// An account's queue slots, expanded on the wall clock of the workspace's zone: 09:00 stays 09:00 across DST, a slot
// in the spring gap moves past it, a slot in the autumn overlap takes the earlier moment.
const iso = (instants: number[]) => instants.map(instant => new Date(instant).toISOString())

describe('queue slots', () => {
  it('sorts the slots by day and time and keeps each once', () => {
    expect(normaliseSlots([{ day: 3, time: '18:00' }, { day: 1, time: '18:00' }, { day: 1, time: '09:00' }, { day: 3, time: '18:00' }]))
      .toEqual([{ day: 1, time: '09:00' }, { day: 1, time: '18:00' }, { day: 3, time: '18:00' }])
  })

  it('leaves out what is malformed in the stored column', () => {
    expect(storedSlots([{ day: 1, time: '09:00' }, { day: 8, time: '09:00' }, { day: 2, time: '9am' }, 'x'])).toEqual([{ day: 1, time: '09:00' }])
    expect(storedSlots({})).toEqual([])
  })

  it('keeps Monday 09:00 at 09:00 in Berlin across the March change', () => {
    const instants = expandSlots([{ day: 1, time: '09:00' }], 'Europe/Berlin', new Date('2026-03-20T00:00:00Z'), 2)
    expect(iso(instants)).toEqual(['2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z'])
  })

  it('moves a slot in the spring gap past it, and takes the earlier moment in the autumn overlap', () => {
    const sunday = [{ day: 7, time: '02:30' }]
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST, so 02:30 is 03:30 CEST.
    expect(iso(expandSlots(sunday, 'Europe/Berlin', new Date('2026-03-28T00:00:00Z'), 1))).toEqual(['2026-03-29T01:30:00.000Z'])
    // 25 October 2026: 02:30 happens twice; the first is still summer time (+02:00).
    expect(iso(expandSlots(sunday, 'Europe/Berlin', new Date('2026-10-24T00:00:00Z'), 1))).toEqual(['2026-10-25T00:30:00.000Z'])
  })

  it('looks only after `from` and within the horizon', () => {
    const slots = [{ day: 2, time: '12:00' }]
    const from = new Date('2026-06-02T10:00:00Z') // Tuesday 12:00 in Berlin: not after itself
    const instants = expandSlots(slots, 'Europe/Berlin', from, 8)
    expect(instants).toHaveLength(8)
    expect(iso(instants)[0]).toBe('2026-06-09T10:00:00.000Z')
    expect(iso(instants).at(-1)).toBe('2026-07-28T10:00:00.000Z')
    expect(expandSlots([], 'Europe/Berlin', from)).toEqual([])
  })
})
