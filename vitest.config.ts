import { defineConfig } from 'vitest/config'

// Three kinds of test, one command (`npm test`). The integration suite runs twice: once on the embedded PGlite
// and once on a real PostgreSQL database created for the run and dropped after it. `npm test` runs the two side by side
// (scripts/test.ts), so a file that needs only one run goes where it keeps the two about equally long.
const files = (names: string[]) => names.map(name => `test/integration/${name}.test.ts`)
// No database at all (ffmpeg and the media store): one run, on whichever side keeps the two about equally long.
const noDatabasePostgresSide = ['media-analysis', 'media-render', 'media-render-overlays', 'media-render-pipeline', 'media-render-silence', 'media-store', 'media-tool-lifetime']
const noDatabasePgliteSide = ['media-render-captions', 'media-input-guard']
// PGlite only:
// - the embedded database's own tests (persistence, locking, templates) have nothing to learn from PostgreSQL;
// - the AI provider and platform connector tests use no database; one run of them is enough;
// - the video reading, transcription and Studio render tests spend their time in ffmpeg and the recogniser, and their
//   rows are plain inserts the other tests run on both databases; so is one run of the job streams (server-sent
//   events, their slots in Redis across two web processes), and of a failed render's message (its words, not its row);
// - a full disk is likeliest on one machine running the embedded defaults;
// - the 300 MB upload resumed over a dropped connection and a restart is about the upload protocol and the disk: its
//   rows are plain inserts the other tests run on both; several instances uploading run on PostgreSQL (uploads-multi-instance);
//   so are the footage limits (ffprobe's reading, refused before a row is kept) and which upload a tus URL names;
// - zod's messages on refused input, and the files a browser asks for before any page, never reach the database.
const pgliteOnly = ['embedded-database', 'ai-providers', 'platform-*', 'studio-render', 'video-reading', 'ai-transcribe', 'job-streams', 'disk-full', 'library-upload',
  'failure-messages', 'footage-limits', 'upload-id-confusion', 'validation-messages', 'public-files', ...noDatabasePgliteSide]
// PostgreSQL only:
// - the scale test is about real PostgreSQL; cutting connections mid-run means nothing for PGlite, which lives in the
//   app's process (see the file for why); the publish chaos test and the media jobs killed mid-ffmpeg are about
//   several worker processes and pg-boss's heartbeat, a production setup (the embedded default is one process, which
//   a kill takes down with its database); the media test spends over four minutes in ffmpeg and heartbeat waits;
// - S3 storage, several web instances behind one Redis (and the app's Redis connections at shutdown), Supabase's
//   sign-in, mail over SMTP and a health token for the operator's monitor are production setups, which run on
//   PostgreSQL; the database is incidental to what they test. So is the storage sweep, on both drivers: it lists and
//   removes files, and its rows are plain reads the other tests run on both databases.
const postgresOnly = ['jobs-scale', 'database-outage-midrun', 'posts-chaos', 'jobs-media', 'library-s3', 'uploads-multi-instance', 'email',
  'redis-shutdown', 'supabase-auth', 'health-access', 'storage-sweep-jobs', ...noDatabasePostgresSide]

// Wasm compiled by V8's baseline compiler only, in the unit and integration processes: PGlite, Prisma's query compiler
// and its schema engine are wasm, and each test file's process (and each app it starts, test/support/app-server.ts)
// lives seconds, too short to repay V8's optimising recompile of them in the background. Measured on six integration
// files (schedule, migrations, tenant-isolation, publishing, auth, learning): 67–75 busy CPU-s against 88 on PGlite,
// 45 against 54 on PostgreSQL, same results; the unit project 50–56 against 59–63. The e2e apps live for minutes and
// keep V8's default (no gain measured there), as production does.
const baselineWasmOnly = ['--liftoff-only']

const integration = (database: 'pglite' | 'postgres') => ({
  test: {
    name: `integration:${database}`,
    include: ['test/integration/**/*.test.ts'],
    exclude: files(database === 'postgres' ? pgliteOnly : postgresOnly),
    // The secret scan fails the run when a token a loopback platform issued appears in any app or worker's output.
    globalSetup: ['test/support/database.global.ts', 'test/support/secret-scan.global.ts'],
    provide: { databaseKind: database },
    execArgv: baselineWasmOnly,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000, execArgv: baselineWasmOnly } },
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
          // Each file starts its own server and browser. Two at a time were tried twice (CI of 1a6ba44 and of 5d4b02c): e2e
          // ended 350–430 s sooner, but the integration processes, starved of the cores, ended later, and the run took longer.
          fileParallelism: false,
        },
      },
    ],
  },
})
