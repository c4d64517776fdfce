import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { readCapabilities } from '../../../../../services/accounts/capabilities'

// What the platform allows this account now, for the publish form (privacy choices, longest video, notices).
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'posts.publish')
  const { accountId } = await getValidatedRouterParams(event, z.object({ accountId: uuidParam }).parse)
  const { box, app } = usePlatforms()
  return readCapabilities(useDb(), box, workspaceId, accountId, app)
})
