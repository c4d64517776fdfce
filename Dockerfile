# syntax=docker/dockerfile:1
# One image, two roles: APP_ROLE=web serves pages and the API, APP_ROLE=worker runs the queues, APP_ROLE=all does both.

# ---- build: the same `npm run build` as on a developer's machine ----
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV NUXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY . .
# postinstall generates the Prisma client and prepares Nuxt; dev dependencies are needed to build.
RUN npm ci --include=dev
RUN npm run build

# ---- run: Node 24, Debian's ffmpeg, a font for burned-in text, PocketSphinx (offline captions), no build tools ----
FROM node:24-bookworm-slim AS run
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core pocketsphinx pocketsphinx-en-us ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    APP_ROLE=all \
    PORT=3000 \
    DATA_DIR=/app/.data \
    FFMPEG_PATH=/usr/bin/ffmpeg \
    FFPROBE_PATH=/usr/bin/ffprobe
COPY --from=build --chown=node:node /app/.output ./.output
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", ".output/server/index.mjs"]
