import { videoListQuery, type VideoList } from '#shared/library'
import { listVideos } from '../../../../services/library/videos'

export default defineEventHandler(async (event): Promise<VideoList> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const query = await getValidatedQuery(event, videoListQuery.parse)
  const { uploads } = useServerConfig()
  return { ...await listVideos(useDb(), useMediaStore(), workspaceId, query), quotaBytes: uploads.workspaceQuotaBytes, maxUploadBytes: uploads.maxSizeBytes }
})
