// The audit trail in sentences ("Ana invited bob@x.com as an editor"), made on the server from each event's
// actor, metadata and target, so every reader (the page, an export, a test) reads the same words.
import { outcomeMetricLabels, type OutcomeMetricKey } from './analytics'
import { platformNames, type PlatformKey } from './platforms/keys'

export interface AuditEntry {
  id: string
  action: string
  /** The event as a sentence, its actor first. */
  sentence: string
  actor: { id: string, name: string | null, email: string } | null
  ip: string | null
  createdAt: string
}

/** What a sentence is made from; `target` is what the event's targetId names (an invite's e-mail and role). */
export interface AuditFacts {
  action: string
  actor: { name: string | null, email: string } | null
  metadata: Record<string, unknown>
  target?: { email?: string | null, role?: string | null }
}

const article = (role: unknown) => (typeof role === 'string' && /^[aeiou]/i.test(role) ? `an ${role}` : `a ${String(role)}`)
const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined)
const platformName = (value: unknown) => (typeof value === 'string' && value in platformNames ? platformNames[value as PlatformKey] : 'an account')
const settingNames: Record<string, string> = { name: 'name', timeZone: 'time zone', postsNeedApproval: 'post approval', lateLimitMinutes: 'late limit (minutes)', outcomeHorizonHours: 'outcome horizon (hours)', exploration: 'exploration' }

function settingChange(key: string, value: unknown): string {
  if (key === 'postsNeedApproval') return value ? 'turned post approval on' : 'turned post approval off'
  if (key === 'outcomeMetric') return `set the outcome metric to “${outcomeMetricLabels[value as OutcomeMetricKey] ?? String(value)}”`
  return `set the ${settingNames[key] ?? key} to “${String(value)}”`
}

function list(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
}

/** One event as a sentence. An event whose actor's account is gone reads "Someone …". */
export function auditSentence({ action, actor, metadata, target }: AuditFacts): string {
  const who = actor?.name || actor?.email || 'Someone'
  const email = text(metadata.email)
  const via = metadata.via === 'supabase' || metadata.via === 'supabase-link' ? ' through Supabase' : ''
  switch (action) {
    case 'auth.sign_up': return `${who} created an account${via}`
    case 'auth.sign_in': return `${who} signed in${via}`
    case 'auth.sign_in_failed': return actor ? `${who} failed to sign in (wrong password)` : `Someone failed to sign in as ${email ?? 'an unknown address'}`
    case 'auth.sign_out': return `${who} signed out`
    case 'auth.sign_out_everywhere': return `${who} signed out of every device${typeof metadata.sessions === 'number' ? ` (${metadata.sessions} session${metadata.sessions === 1 ? '' : 's'})` : ''}`
    case 'auth.refresh_reuse': return `${who}'s session was ended because its sign-in token was used twice`
    case 'auth.password_reset_requested': return `${who} asked for a password reset link`
    case 'auth.password_reset': return `${who} set a new password through a reset link`
    case 'auth.password_changed': return `${who} changed their password${typeof metadata.sessionsEnded === 'number' ? ` and signed out ${metadata.sessionsEnded} other session${metadata.sessionsEnded === 1 ? '' : 's'}` : ''}`
    case 'auth.profile_updated': return `${who} changed their name${text(metadata.name) ? ` to “${metadata.name}”` : ''}`
    case 'auth.email_verified': return `${who} verified their e-mail address`
    case 'workspace.created': return `${who} created the workspace${text(metadata.name) ? ` “${metadata.name}”` : ''}`
    case 'workspace.updated': {
      const changes = Object.entries(metadata).filter(([, value]) => value !== null && value !== undefined).map(([key, value]) => settingChange(key, value))
      return changes.length ? `${who} ${list(changes)}` : `${who} saved the workspace settings`
    }
    case 'brand.updated': return `${who} updated the brand profile`
    case 'references.imported': {
      const count = Number(metadata.imported ?? 0)
      return `${who} imported the public numbers of ${count} reference video${count === 1 ? '' : 's'} from a CSV`
    }
    case 'account.connected': return `${who} connected ${platformName(metadata.platform)}${text(metadata.handle) ? ` ${metadata.handle}` : ''}`
    case 'account.disconnected': return `${who} disconnected ${platformName(metadata.platform)}${text(metadata.handle) ? ` ${metadata.handle}` : ''}${metadata.revoked === false ? ' (the platform could not be told; remove the app in its settings)' : ''}`
    case 'ai.settings.updated': return `${who} changed the AI provider settings${text(metadata.provider) ? ` (${metadata.provider})` : ''}`
    case 'invite.created': return email ? `${who} invited ${email} as ${article(metadata.role)}` : `${who} created an invite link for ${article(metadata.role)}`
    case 'invite.revoked': {
      const invited = text(target?.email)
      return `${who} withdrew ${invited ? `the invite for ${invited}` : target?.role ? `an invite link for ${article(target.role)}` : 'an invite'}`
    }
    case 'invite.accepted': return `${who} joined through an invite${text(metadata.role) ? ` as ${article(metadata.role)}` : ''}`
    case 'member.role_changed': return `${who} changed ${email ?? 'a member'}'s role from ${String(metadata.from)} to ${String(metadata.to)}`
    case 'member.removed': return `${who} removed ${email ?? 'a member'}${text(metadata.role) ? ` (${metadata.role})` : ''} from the workspace`
    case 'member.left': return `${who} left the workspace`
    default: return `${who}: ${action}`
  }
}
