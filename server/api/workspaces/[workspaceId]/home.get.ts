import { homeOverview } from '../../../services/home/overview'

// Home: the next step for this workspace, and what happened lately. Every member sees it.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'workspace.read')
  return homeOverview({ db: useDb(), store: useMediaStore() }, workspaceId)
})
