import { describe, expect, it } from 'vitest'
import { wallTimeToInstant } from '#shared/schedule-time'
import { platforms } from '#shared/platforms/keys'
import { bucketOf, MIN_OWN_POSTS, scoreBuckets, suggestBestTimes, type PostOutcome } from '../../server/services/schedule/best-time'
import { platformDefaultTimes } from '../../server/services/schedule/platform-default-times'

// Best time to post: each (weekday, hour) of an account's posts scored by how its posts did against the account's
// median, shrunk toward 0 when few posts back it; platform defaults until the account has enough measured posts.
const zone = 'Europe/Berlin'
const at = (wall: string, views: number): PostOutcome => ({ publishedAt: new Date(wallTimeToInstant(wall, zone)), views })
const many = (count: number, wall: string, views: number) => Array.from({ length: count }, () => at(wall, views))

// 7 ordinary posts (Thursday 10:00, 99 views), one hit on Tuesday 18:00 (9,999 views: 100 times the usual), and four
// good posts on Monday 09:00 (999 views: 10 times the usual), each Monday a week apart across the DST change.
const ordinary = many(7, '2026-03-26T10:00', 99)
const hit = at('2026-03-24T18:00', 9999)
const steady = ['2026-03-16T09:00', '2026-03-23T09:00', '2026-03-30T09:00', '2026-04-06T09:00'].map(wall => at(wall, 999))
const posts = [...ordinary, hit, ...steady]

describe('best time scoring', () => {
  it('buckets a post by its weekday and hour on the workspace\'s wall clock, on both sides of DST', () => {
    expect(bucketOf(new Date('2026-03-23T08:00:00Z'), zone)).toEqual({ day: 1, hour: 9 })
    expect(bucketOf(new Date('2026-03-30T07:00:00Z'), zone)).toEqual({ day: 1, hour: 9 })
    // The same instant is Monday 03:00 in New York: the workspace's zone decides.
    expect(bucketOf(new Date('2026-03-30T07:00:00Z'), 'America/New_York')).toEqual({ day: 1, hour: 3 })
  })

  it('scores each hour against the account\'s median, in log views', () => {
    const buckets = scoreBuckets(posts, zone, 0)
    // The median of the 12 outcomes is ln(100): 7 of them are ordinary.
    expect(buckets.find(bucket => bucket.day === 4)).toMatchObject({ time: '10:00', posts: 7, score: 0 })
    expect(buckets.find(bucket => bucket.day === 2)!.mean).toBeCloseTo(Math.log(10_000) - Math.log(100), 6)
    expect(buckets.find(bucket => bucket.day === 1)!.mean).toBeCloseTo(Math.log(1000) - Math.log(100), 6)
    // Without shrinking, the single hit wins.
    expect(buckets[0]).toMatchObject({ day: 2, time: '18:00', posts: 1 })
  })

  it('shrinks an hour with few posts toward 0, so four good posts beat one lucky one', () => {
    const buckets = scoreBuckets(posts, zone)
    const lift = Math.log(10)
    expect(buckets[0]).toMatchObject({ day: 1, time: '09:00', posts: 4 })
    expect(buckets[0]!.score).toBeCloseTo(lift * 4 / 7, 6)
    expect(buckets[1]).toMatchObject({ day: 2, time: '18:00', posts: 1 })
    expect(buckets[1]!.score).toBeCloseTo(2 * lift * 1 / 4, 6)
  })

  it('says nothing stands out when every post did the same', () => {
    expect(scoreBuckets(many(12, '2026-03-26T10:00', 50), zone).map(bucket => bucket.score)).toEqual([0])
    expect(suggestBestTimes('tiktok', many(12, '2026-03-26T10:00', 50), zone)).toMatchObject({ basis: 'own', label: 'from your 12 posts', slots: [], note: expect.stringMatching(/No hour has done better/) })
  })
})

describe('the basis of a suggestion', () => {
  it(`uses the platform default below ${MIN_OWN_POSTS} measured posts, and says so`, () => {
    const suggestion = suggestBestTimes('tiktok', posts.slice(0, MIN_OWN_POSTS - 1), zone)
    expect(suggestion).toMatchObject({ basis: 'default', label: 'platform default (Sprout Social, 2025)', posts: MIN_OWN_POSTS - 1, zone })
    expect(suggestion.slots).toEqual(platformDefaultTimes.tiktok.slots.map(slot => ({ ...slot, score: 0 })))
    expect(suggestion.note).toMatch(/local times; they are shown in Europe\/Berlin/)
    expect(suggestion.note).toMatch(/1 more published post with numbers a day old/)
    expect(suggestBestTimes('tiktok', [], zone).note).toMatch(/10 more published posts/)
  })

  it(`switches to the account's own posts at ${MIN_OWN_POSTS}, and names how many`, () => {
    const suggestion = suggestBestTimes('tiktok', posts, zone)
    expect(suggestion).toMatchObject({ basis: 'own', label: 'from your 12 posts', posts: 12, note: null })
    // Only the hours that did better than usual, best first.
    expect(suggestion.slots).toEqual([
      { day: 1, time: '09:00', score: Math.round(Math.log(10) * 4 / 7 * 100) / 100 },
      { day: 2, time: '18:00', score: Math.round(Math.log(100) / 4 * 100) / 100 },
    ])
    expect(suggestBestTimes('youtube', posts.slice(0, MIN_OWN_POSTS), zone)).toMatchObject({ basis: 'own', label: `from your ${MIN_OWN_POSTS} posts` })
  })

  it('names a source and five valid local times for every platform', () => {
    for (const platform of platforms) {
      const defaults = platformDefaultTimes[platform]
      expect(defaults.source, platform).not.toBe('')
      if (defaults.url !== null) expect(defaults.url, platform).toMatch(/^https:\/\//)
      expect(defaults.slots, platform).toHaveLength(5)
      for (const slot of defaults.slots) {
        expect(slot.day).toBeGreaterThanOrEqual(1)
        expect(slot.day).toBeLessThanOrEqual(7)
        expect(slot.time).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/)
      }
      expect(suggestBestTimes(platform, [], 'UTC').label).toBe(`platform default (${defaults.source})`)
    }
  })
})
