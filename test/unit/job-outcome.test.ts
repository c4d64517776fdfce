import { describe, expect, it } from 'vitest'
import { jobOutcome } from '#shared/jobs'

describe('how a job\'s outcome reads on Home and the Jobs page', () => {
  const line = { stage: null, percent: 100 }
  it('says how long it took, in the players\' minutes and seconds', () => {
    expect(jobOutcome({ ...line, state: 'succeeded', durationMs: 42_600 })).toBe('Finished in 0:42')
    expect(jobOutcome({ ...line, state: 'failed', durationMs: 61_000 })).toBe('Failed after 1:01')
  })

  it('never says a job took 0:00: one under a second took "under a second"', () => {
    expect(jobOutcome({ ...line, state: 'succeeded', durationMs: 380 })).toBe('Finished in under a second')
    expect(jobOutcome({ ...line, state: 'failed', durationMs: 20 })).toBe('Failed after under a second')
  })

  it('says what a job is doing while it waits or runs', () => {
    expect(jobOutcome({ state: 'queued', durationMs: null, stage: null, percent: 0 })).toBe('Waiting to start')
    expect(jobOutcome({ state: 'running', durationMs: null, stage: 'encoding', percent: 41.6 })).toBe('Running: encoding (42 %)')
  })
})
