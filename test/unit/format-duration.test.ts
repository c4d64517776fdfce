import { describe, expect, it } from 'vitest'
import { formatDuration, formatDurationOver } from '#shared/library'

// Issue 12: a render card said 0:17 while its player said 0:16. Browsers' players show whole seconds elapsed, so every
// duration the app prints counts them the same way.
describe('formatDuration', () => {
  it('shows whole seconds as a video player does', () => {
    expect(formatDuration(16.6)).toBe('0:16')
    expect(formatDuration(59.99)).toBe('0:59')
    expect(formatDuration(60)).toBe('1:00')
    expect(formatDuration(83.4)).toBe('1:23')
    expect(formatDuration(3600 + 62.5)).toBe('1:01:02')
  })

  it('never shows a negative or missing time', () => {
    expect(formatDuration(-3)).toBe('0:00')
    expect(formatDuration(Number.NaN)).toBe('0:00')
  })

  it('says by how much a length is over a limit that whole seconds would hide', () => {
    expect(formatDurationOver(3.5, 3)).toBe('3.5 s')
    expect(formatDurationOver(4, 3)).toBe('0:04')
    expect(formatDurationOver(601, 600)).toBe('10:01')
  })
})
