import { defineConfig } from 'vitest/config'

// Three kinds of test, one command (`npm test`). The integration suite runs twice: once on the embedded PGlite
// and once on a real PostgreSQL database created for the run and dropped after it.
const integration = (database: 'pglite' | 'postgres') => ({
  test: {
    name: `integration:${database}`,
    include: ['test/integration/**/*.test.ts'],
    // The embedded database's own tests (persistence, locking, templates) have nothing to learn from PostgreSQL.
    // The scale test is about real PostgreSQL. The media, AI provider and platform connector tests use no database, so one run of them is enough.
    // The video reading and transcription tests spend their time in ffmpeg and the recogniser, and their rows are plain
    // inserts the other tests run on both databases: one run of them is enough (CI stays under 30 minutes). So is one
    // run of the job streams (server-sent events, their slots in Redis across two web processes).
    // Cutting connections mid-run means nothing for PGlite, which lives in the app's process (see the file for why).
    // The publish chaos test is about worker processes and pg-boss's heartbeat, not the database: PostgreSQL runs it.
    exclude: database === 'postgres' ? ['test/integration/embedded-database.test.ts', 'test/integration/media-analysis.test.ts', 'test/integration/media-render*.test.ts', 'test/integration/media-store.test.ts', 'test/integration/media-tool-lifetime.test.ts', 'test/integration/studio-render.test.ts', 'test/integration/ai-providers.test.ts', 'test/integration/platform-*.test.ts', 'test/integration/video-reading.test.ts', 'test/integration/ai-transcribe.test.ts', 'test/integration/job-streams.test.ts'] : ['test/integration/jobs-scale.test.ts', 'test/integration/database-outage-midrun.test.ts', 'test/integration/posts-chaos.test.ts'],
    // The secret scan fails the run when a token a loopback platform issued appears in any app or worker's output.
    globalSetup: ['test/support/database.global.ts', 'test/support/secret-scan.global.ts'],
    provide: { databaseKind: database },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      integration('pglite'),
      integration('postgres'),
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/build.global.ts', 'test/support/secret-scan.global.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          // The integration projects (ffmpeg encodes among them) share the two cores, so pages answer slower than alone.
          expect: { poll: { timeout: 10_000 } },
          // Each file starts its own server; two cores do not gain from running them side by side.
          fileParallelism: false,
        },
      },
    ],
  },
})
