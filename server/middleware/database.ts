// Holds requests until the database has started (and migrated, in embedded mode). /health answers on its own.
export default defineEventHandler(async (event) => {
  const path = event.path
  if (path === '/health' || path.startsWith('/_nuxt/') || path.startsWith('/__nuxt')) return
  await databaseReady()
})
