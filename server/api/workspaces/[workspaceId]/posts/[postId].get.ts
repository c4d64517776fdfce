import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { getPost } from '../../../../services/posts/views'

// One post: its state, its attempts with the platform's replies (tokens taken out), its permalink once published.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { postId } = await getValidatedRouterParams(event, z.object({ postId: uuidParam }).parse)
  return getPost(useDb(), workspaceId, postId)
})
