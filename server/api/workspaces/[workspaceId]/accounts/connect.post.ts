import { connectInput } from '#shared/accounts'
import { startConnect } from '../../../../services/accounts/connect'

// Starts connecting an account: the URL of the platform's consent screen, where the browser goes next.
export default defineEventHandler(async (event): Promise<{ url: string }> => {
  const { workspaceId, user } = await requireMember(event, 'accounts.manage')
  const { platform, returnTo } = await readValidatedBody(event, connectInput.parse)
  const { box, app } = usePlatforms()
  return startConnect(useDb(), box, { workspaceId, userId: user.id }, platform, app(platform), returnTo)
})
