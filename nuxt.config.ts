import { fileURLToPath } from 'node:url'
import type { NitroConfig } from 'nitropack/types'

// Root-level layout (pages/, components/, server/ … at the top): Nuxt 4 uses it when there is no app/ folder.
export default defineNuxtConfig({
  modules: ['@nuxt/ui', '@nuxt/eslint', '@sidebase/nuxt-auth'],

  devtools: { enabled: false },

  // English pages (screen readers pick their voice from it); the icons and robots.txt are in public/.
  app: {
    head: {
      htmlAttrs: { lang: 'en' },
      link: [
        { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' },
        { rel: 'apple-touch-icon', href: '/apple-touch-icon.png' },
        { rel: 'manifest', href: '/site.webmanifest' },
      ],
      meta: [{ name: 'theme-color', content: '#7c3aed' }],
    },
  },

  css: ['~/assets/css/main.css'],

  // Offline builds: fonts come from @fontsource (imported in main.css), never from remote providers.
  ui: { fonts: false },

  compatibilityDate: '2026-11-01',

  telemetry: { enabled: false },

  hooks: {
    // Set here rather than under `nitro:` because Nuxt 4.5's types only describe a few Nitro keys there.
    'nitro:config'(config) {
      const nitroConfig = config as NitroConfig
      // The built server migrates an embedded database at boot from these files.
      nitroConfig.serverAssets = [...nitroConfig.serverAssets ?? [], { baseName: 'migrations', dir: fileURLToPath(new URL('./prisma/migrations', import.meta.url)) }]
      // Loaded with fs at run time, so the file tracer cannot see it.
      const wasm = fileURLToPath(new URL('./node_modules/@prisma/schema-engine-wasm/schema_engine_bg.wasm', import.meta.url))
      nitroConfig.externals = { ...nitroConfig.externals, traceInclude: [...nitroConfig.externals?.traceInclude ?? [], wasm] }
      // Scheduled sweeps only enqueue; the worker role does the work (server/tasks/, server/jobs/).
      nitroConfig.experimental = { ...nitroConfig.experimental, tasks: true }
      nitroConfig.scheduledTasks = { ...nitroConfig.scheduledTasks, '7 * * * *': ['maintenance:cleanup'], '* * * * *': ['posts:sweep'], '*/5 * * * *': ['jobs:reconcile', 'accounts:refresh', 'metrics:sweep'], '17 3 * * *': ['storage:sweep'], '41 4 * * *': ['analytics:rebuild'] }
    },
  },

  // Sign-in with @sidebase/nuxt-auth's local provider against our own /api/auth routes. Every page needs a session
  // unless it opts out (sign-in, sign-up, invites). The refresh token never reaches scripts: it is an HttpOnly cookie
  // that plugins/auth-refresh.client.ts and server/middleware/session-refresh.ts trade for new access tokens.
  auth: {
    baseURL: '/api/auth',
    globalAppMiddleware: true,
    provider: {
      type: 'local',
      endpoints: {
        signIn: { path: '/login', method: 'post' },
        signOut: { path: '/logout', method: 'post' },
        signUp: { path: '/register', method: 'post' },
        getSession: { path: '/session', method: 'get' },
      },
      pages: { login: '/login' },
      token: {
        signInResponseTokenPointer: '/token',
        type: 'Bearer',
        cookieName: 'auth.token',
        headerName: 'Authorization',
        maxAgeInSeconds: 15 * 60,
        sameSiteAttribute: 'lax',
        secureCookieAttribute: process.env.NODE_ENV === 'production',
      },
      refresh: { isEnabled: false },
    },
    sessionRefresh: { enablePeriodically: false, enableOnWindowFocus: false },
  },

  eslint: { config: { stylistic: true } },

  // Icons come from the installed @iconify-json sets, bundled at build time; never from the Iconify API.
  icon: {
    fallbackToApi: false,
    clientBundle: { scan: true, includeCustomCollections: true },
    serverBundle: { collections: ['lucide'] },
  },
})
