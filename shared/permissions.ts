// One permission matrix for the whole app, enforced on the server by requireMember(event, permission)
// and mirrored in the UI only to hide what would be refused anyway. The README's table is generated from this one.
export const roles = ['owner', 'admin', 'editor', 'viewer'] as const
export type Role = typeof roles[number]

const rank: Record<Role, number> = { owner: 4, admin: 3, editor: 2, viewer: 1 }

export const permissions = {
  'workspace.read': 'viewer',
  'content.read': 'viewer',
  'content.edit': 'editor',
  // The brand profile steers what editors make, so they shape it too.
  'brand.edit': 'editor',
  // Generating a reading, strategy, scripts or a transcript spends the workspace's AI budget.
  'ai.generate': 'editor',
  // Provider, model, key and monthly budget; the Usage page shows what was spent.
  'ai.manage': 'admin',
  // Connecting a channel lets Reelwise post as the brand; disconnecting stops every post to it.
  'accounts.manage': 'admin',
  // Publishing a render to a connected account.
  'posts.publish': 'editor',
  'posts.approve': 'admin',
  'workspace.update': 'admin',
  'members.read': 'admin',
  'members.manage': 'admin',
  'invites.manage': 'admin',
  'audit.read': 'admin',
  'jobs.manage': 'admin',
  'owners.manage': 'owner',
} as const satisfies Record<string, Role>

export type Permission = keyof typeof permissions

export function roleAllows(role: Role, permission: Permission): boolean {
  return rank[role] >= rank[permissions[permission]]
}

export function outranks(role: Role, other: Role): boolean {
  return rank[role] > rank[other]
}

/** "an admin", "a viewer": for messages that name a role. */
export function roleWithArticle(role: Role): string {
  return `${role === 'viewer' ? 'a' : 'an'} ${role}`
}
