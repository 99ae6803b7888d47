# syntax=docker/dockerfile:1
# onsim-bot: a compiled build on production dependencies only, as a non-root user.
# The build stage runs the same npm scripts as CI (.ci/run): npm ci, then npm run build.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles itself when no prebuilt binary fits the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts scripts/
COPY src src
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/onsim-bot.db \
    PLAYGROUND=0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# Liveness; orchestrators that route traffic should ask /readyz instead.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same command as `npm run start:prod` (test/deploy.test.ts checks it; README "Stack notes"
# says why V8's young generation is capped at 2 MiB semi-spaces).
# node itself is PID 1 (no npm in between): SIGTERM reaches the bot, which stops taking requests,
# drains what is in flight (up to 15 s) and closes the store. Give it that long before SIGKILL.
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=2", "dist/index.js"]
