import { z } from 'zod'
import { listPosts } from '../../../../services/posts/views'

const query = z.object({ renderId: z.uuid().optional(), groupId: z.uuid().optional() })

// The posts of a render, or of one "Publish now", with their live state and attempts.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const filter = await getValidatedQuery(event, query.parse)
  return { posts: await listPosts(useDb(), workspaceId, filter) }
})
