import { isFirstRun } from '../../services/auth/accounts'

// Public: tells the sign-in page whether this is a fresh install (send the visitor to create the first account)
// and which sign-in mode is on. Reveals nothing about any account.
export default defineEventHandler(async () => ({
  firstRun: await isFirstRun(useDb()),
  mode: useServerConfig().supabase ? 'supabase' as const : 'local' as const,
}))
