import type { Role } from './permissions'

// What the workspace routes answer, used by the routes and the pages alike.

/** One workspace in the session (GET /api/auth/session), with the signed-in user's role in it. */
export interface WorkspaceSummary { id: string, name: string, slug: string, timeZone: string, postsNeedApproval: boolean, lateLimitMinutes: number, role: Role }

/** GET /api/auth/session: who is signed in and which workspaces they can open. */
export interface SessionData { user: { id: string, email: string, name: string | null, emailVerified: boolean }, workspaces: WorkspaceSummary[] }

/** One member in GET …/members. */
export interface WorkspaceMember {
  id: string
  role: Role
  createdAt: string
  user: { id: string, name: string | null, email: string, lastSignInAt: string | null }
}

/** One invite in GET …/invites: not yet used, withdrawn or expired. */
export interface OpenInvite {
  id: string
  role: Role
  email: string | null
  expiresAt: string
  createdAt: string
  invitedBy: { name: string | null, email: string } | null
}
