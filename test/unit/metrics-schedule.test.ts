// The metrics pull schedule's pure parts: the steps (+1 h, +6 h, +24 h, +72 h, +7 d, then weekly to +63 d), the step
// after a pull that ran on time or late (no stale catch-up), the end of the schedule, ages, and the retry waits.
import { describe, expect, it } from 'vitest'
import { MAX_PULL_RETRIES, pullRetrySeconds } from '../../server/services/metrics/pull'
import { ACCOUNT_METRICS_EVERY_HOURS, METRICS_STEP_HOURS, ageHours, firstAccountMetricsPull, firstMetricsPull, nextAccountMetricsPull, nextMetricsPull } from '../../server/services/metrics/schedule'

const HOUR = 3_600_000
const published = new Date('2026-11-02T09:30:00Z')
const at = (hours: number) => new Date(published.getTime() + hours * HOUR)

describe('metrics pull schedule', () => {
  it('pulls at +1 h, +6 h, +24 h, +72 h and +7 d, then weekly for 8 more weeks, the last at +63 d', () => {
    expect(METRICS_STEP_HOURS).toEqual([1, 6, 24, 72, 168, 336, 504, 672, 840, 1008, 1176, 1344, 1512])
    expect(METRICS_STEP_HOURS.at(-1)).toBe(63 * 24)
  })

  it('starts an hour after publishing', () => {
    expect(firstMetricsPull(published)).toEqual({ step: 0, dueAt: at(1) })
  })

  it('goes step by step when each pull runs on time', () => {
    const due: number[] = []
    let next = firstMetricsPull(published) as ReturnType<typeof nextMetricsPull>
    while (next) {
      due.push((next.dueAt.getTime() - published.getTime()) / HOUR)
      next = nextMetricsPull(published, next.dueAt)
    }
    expect(due).toEqual([...METRICS_STEP_HOURS])
  })

  it('takes the next step whose age has not passed when a pull runs late, with no backlog', () => {
    // Due at +1 h, run at +30 h (the worker was down): +6 h and +24 h have passed; the next is +72 h.
    expect(nextMetricsPull(published, at(30))).toEqual({ step: 3, dueAt: at(72) })
    // A pull a few seconds late still moves on by one step only.
    expect(nextMetricsPull(published, new Date(at(6).getTime() + 5000))).toEqual({ step: 2, dueAt: at(24) })
    // Exactly at a step's time counts as that step done.
    expect(nextMetricsPull(published, at(24))).toEqual({ step: 3, dueAt: at(72) })
    // Before the first step (a pull sent early) the next is still +1 h.
    expect(nextMetricsPull(published, at(0.5))).toEqual({ step: 0, dueAt: at(1) })
  })

  it('stops after the pull at +63 d, and for a pull that ran later still', () => {
    expect(nextMetricsPull(published, at(1344))).toEqual({ step: 12, dueAt: at(1512) })
    expect(nextMetricsPull(published, at(1512))).toBeNull()
    expect(nextMetricsPull(published, at(2000))).toBeNull()
  })

  it('gives a snapshot\'s age in hours since publishing, never negative', () => {
    expect(ageHours(published, at(48))).toBe(48)
    expect(ageHours(published, new Date(published.getTime() + 90 * 60_000))).toBe(1.5)
    expect(ageHours(published, at(-1))).toBe(0)
  })

  it('reads an account\'s followers an hour after it is connected, then once a day', () => {
    expect(firstAccountMetricsPull(published)).toEqual(at(1))
    expect(ACCOUNT_METRICS_EVERY_HOURS).toBe(24)
    expect(nextAccountMetricsPull(published)).toEqual(at(24))
  })

  it('waits as long as the platform asked after a 429, else 30 s doubling to at most 30 minutes', () => {
    expect(pullRetrySeconds(0, 120)).toBe(120)
    expect(pullRetrySeconds(3, 2)).toBe(2)
    expect(pullRetrySeconds(0, 0.2)).toBe(1)
    expect([0, 1, 2, 3].map(retry => pullRetrySeconds(retry))).toEqual([30, 60, 120, 240])
    expect(pullRetrySeconds(10)).toBe(1800)
    expect(MAX_PULL_RETRIES).toBeGreaterThan(0)
  })
})
