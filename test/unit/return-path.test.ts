import { describe, expect, it } from 'vitest'
import { safeReturnPath, signInLocation } from '../../utils/returnPath'

describe('the way back after sign-in', () => {
  it('keeps a path on this site, with its query and fragment', () => {
    expect(safeReturnPath('/library/7f1c2f0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f')).toBe('/library/7f1c2f0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f')
    expect(safeReturnPath('/settings/members?tab=people#invites')).toBe('/settings/members?tab=people#invites')
  })

  it('refuses anything a browser could follow to another site', () => {
    for (const next of ['//evil.example', 'https://evil.example', 'http:evil.example', '/\\evil.example', '\\\\evil.example',
      '/\t/evil.example', '/\n/evil.example', 'javascript:alert(1)', 'evil.example', '', ' /library']) {
      expect(safeReturnPath(next), JSON.stringify(next)).toBe('/')
    }
  })

  it('refuses what is not a string, and the sign-in page itself (no loop)', () => {
    expect(safeReturnPath(undefined)).toBe('/')
    expect(safeReturnPath(['/library', '//evil.example'])).toBe('/')
    expect(safeReturnPath('/login?next=/library')).toBe('/')
  })

  it('sends to sign-in with the way back, and without one for Home', () => {
    expect(signInLocation('/library/abc')).toEqual({ path: '/login', query: { next: '/library/abc' } })
    expect(signInLocation('/')).toEqual({ path: '/login', query: {} })
    expect(signInLocation('//evil.example')).toEqual({ path: '/login', query: {} })
  })
})
