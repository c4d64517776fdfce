import { describe, expect, it } from 'vitest'
import { newPasswordSchema, workspaceSettingsSchema } from '#shared/auth'
import { outranks, permissions, roleAllows, roles } from '#shared/permissions'

describe('the permission matrix', () => {
  it('grants each role everything below it and nothing above', () => {
    const table = Object.fromEntries(roles.map(role => [role, Object.keys(permissions).filter(permission => roleAllows(role, permission as keyof typeof permissions))]))
    expect(table.viewer).toEqual(['workspace.read', 'content.read'])
    expect(table.editor).toEqual(['workspace.read', 'content.read', 'content.edit', 'brand.edit', 'ai.generate', 'posts.publish'])
    expect(table.editor).not.toContain('ai.manage')
    expect(table.editor).not.toContain('accounts.manage')
    expect(table.admin).toContain('accounts.manage')
    expect(table.admin).toContain('ai.manage')
    expect(table.admin).not.toContain('owners.manage')
    expect(table.admin).toContain('members.manage')
    expect(table.owner).toEqual(Object.keys(permissions))
  })

  it('orders roles strictly', () => {
    expect(outranks('owner', 'admin')).toBe(true)
    expect(outranks('admin', 'admin')).toBe(false)
    expect(outranks('viewer', 'editor')).toBe(false)
  })
})

describe('form schemas shared with the routes', () => {
  it('explains what is wrong with a weak password', () => {
    expect(newPasswordSchema.safeParse('short').error?.issues[0]?.message).toBe('Use at least 10 characters for your password.')
    expect(newPasswordSchema.safeParse('Password123').error?.issues[0]?.message).toMatch(/leaked passwords/)
    expect(newPasswordSchema.safeParse('abababababab').error?.issues[0]?.message).toMatch(/more variety/)
    expect(newPasswordSchema.safeParse('a sentence is a fine password').success).toBe(true)
  })

  it('takes only real IANA time zones', () => {
    const base = { name: 'Studio', postsNeedApproval: false, lateLimitMinutes: 120 }
    expect(workspaceSettingsSchema.safeParse({ ...base, timeZone: 'Europe/Paris' }).success).toBe(true)
    expect(workspaceSettingsSchema.safeParse({ ...base, timeZone: 'UTC' }).success).toBe(true)
    expect(workspaceSettingsSchema.safeParse({ ...base, timeZone: 'Mars/Olympus' }).success).toBe(false)
    expect(workspaceSettingsSchema.safeParse({ ...base, timeZone: 'EST' }).success).toBe(false)
  })

  it('takes a late limit from 0 minutes to a week', () => {
    const base = { name: 'Studio', postsNeedApproval: false, timeZone: 'UTC' }
    expect(workspaceSettingsSchema.safeParse({ ...base, lateLimitMinutes: 0 }).success).toBe(true)
    expect(workspaceSettingsSchema.safeParse({ ...base, lateLimitMinutes: 10_080 }).success).toBe(true)
    expect(workspaceSettingsSchema.safeParse({ ...base, lateLimitMinutes: -5 }).error?.issues[0]?.message).toBe('The late limit cannot be negative.')
    expect(workspaceSettingsSchema.safeParse({ ...base, lateLimitMinutes: 10_081 }).success).toBe(false)
  })
})
