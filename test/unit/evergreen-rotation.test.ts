import { describe, expect, it } from 'vitest'
import { rotate } from '../../server/services/schedule/evergreen'

// The rotation: each slot takes the next render in turn that has not gone out within the gap; a slot where none may
// go stays empty rather than repeat a render too soon.
const day = (n: number) => new Date(Date.UTC(2027, 0, 1 + n, 9)).toISOString()

describe('evergreen rotation', () => {
  it('takes the renders in turn', () => {
    expect(rotate([day(0), day(1), day(2), day(3)], ['a', 'b', 'c'], new Map(), 0, 1).map(pick => pick.renderId)).toEqual(['a', 'b', 'c', 'a'])
  })

  it('goes on from where the last post left off', () => {
    expect(rotate([day(10), day(11)], ['a', 'b', 'c'], new Map([['b', Date.parse(day(5))]]), 2, 1).map(pick => pick.renderId)).toEqual(['c', 'a'])
  })

  it('skips a render posted within the gap, and leaves a slot empty when every render is too recent', () => {
    // Daily slots, two renders, a 3-day gap: a on day 0, b on day 1, nothing on day 2, a on day 3, b on day 4.
    const picks = rotate([day(0), day(1), day(2), day(3), day(4)], ['a', 'b'], new Map(), 0, 3)
    expect(picks).toEqual([{ instant: day(0), renderId: 'a' }, { instant: day(1), renderId: 'b' }, { instant: day(3), renderId: 'a' }, { instant: day(4), renderId: 'b' }])
  })

  it('counts a render\'s earlier posts toward its gap', () => {
    expect(rotate([day(10)], ['a', 'b'], new Map([['a', Date.parse(day(9))]]), 0, 7).map(pick => pick.renderId)).toEqual(['b'])
  })
})
