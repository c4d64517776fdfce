import { fileURLToPath } from 'node:url'

// Root-level layout (pages/, components/, server/ … at the top): Nuxt 4 uses it when there is no app/ folder.
export default defineNuxtConfig({
  modules: ['@nuxt/ui', '@nuxt/eslint'],

  devtools: { enabled: false },

  css: ['~/assets/css/main.css'],

  // Offline builds: fonts come from @fontsource (imported in main.css), never from remote providers.
  ui: { fonts: false },

  // Icons come from the installed @iconify-json sets, bundled at build time; never from the Iconify API.
  icon: {
    fallbackToApi: false,
    clientBundle: { scan: true, includeCustomCollections: true },
    serverBundle: { collections: ['lucide'] },
  },

  compatibilityDate: '2026-11-01',

  nitro: {
    // The built server migrates an embedded database at boot from these files.
    serverAssets: [{ baseName: 'migrations', dir: fileURLToPath(new URL('./prisma/migrations', import.meta.url)) }],
    externals: {
      // Loaded with fs at run time, so the file tracer cannot see it.
      traceInclude: [fileURLToPath(new URL('./node_modules/@prisma/schema-engine-wasm/schema_engine_bg.wasm', import.meta.url))],
    },
  },

  telemetry: { enabled: false },

  eslint: { config: { stylistic: true } },
})
