import { roleAllows } from '#shared/permissions'
import type { AccountsResponse } from '#shared/accounts'
import { listAccounts } from '../../../../services/accounts/accounts'

// The workspace's connected accounts with their health and limits, and which platforms this server can connect.
export default defineEventHandler(async (event): Promise<AccountsResponse> => {
  const { workspaceId, role } = await requireMember(event, 'workspace.read')
  return listAccounts(useDb(), workspaceId, usePlatforms().server, roleAllows(role, 'accounts.manage'))
})
