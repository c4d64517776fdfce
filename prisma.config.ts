import { defineConfig } from 'prisma/config'

// `prisma migrate deploy` (optional in production) reads the same migrations folder that `npm run db:migrate` applies.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
})
