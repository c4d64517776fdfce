import type { WorkspaceMember } from '#shared/workspaces'

/** The workspace's members, for those who may list them (admins); others get null without asking. */
export function useWorkspaceMembers() {
  const { current, can } = useWorkspace()
  return useApi<WorkspaceMember[]>(() => `/api/workspaces/${current.value?.id}/members`, {
    key: () => `members-list-${current.value?.id}`,
    immediate: Boolean(current.value) && can('members.read'),
    lazy: true,
    server: false,
  })
}
