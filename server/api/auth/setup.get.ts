import { isFirstRun } from '../../services/auth/accounts'

// Public: tells the sign-in page whether this is a fresh install (send the visitor to create the first account)
// which sign-in mode is on, and whether mail goes to the dev outbox. Reveals nothing about any account.
export default defineEventHandler(async () => ({
  firstRun: await isFirstRun(useDb()),
  mode: useServerConfig().supabase ? 'supabase' as const : 'local' as const,
  devOutbox: useServerConfig().mail.devOutbox,
}))
