# syntax=docker/dockerfile:1
# The API image (also runs the one-shot migrations). Built only with the repository's own commands:
# npm ci, npm run build. Build from the repository root: docker build -f docker/api.Dockerfile .

# 1. Build the web app (the API serves its /playground page) and the API.
FROM node:20-bookworm-slim AS build
# better-sqlite3 (the embedded database) compiles from source when no prebuilt binary is reachable.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY api/package.json api/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY schema.graphql codegen.ts ./
COPY api api
COPY web web
RUN npm run build

# 2. The API's production dependencies only (no web app, no compilers, no test tools).
FROM node:20-bookworm-slim AS deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY api/package.json api/
COPY web/package.json web/
RUN npm ci --omit=dev --workspace=api --no-audit --no-fund

# 3. Runtime: node as an unprivileged user, data (uploads) under /var/lib/randchat.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=4000 DATA_DIR=/var/lib/randchat
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY api/package.json api/
COPY web/package.json web/
COPY --from=build /app/api/dist api/dist
COPY --from=build /app/web/dist web/dist
RUN mkdir -p /var/lib/randchat/uploads && chown -R node:node /var/lib/randchat
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM reaches node directly (no shell): graceful shutdown, sockets closed with 1012.
CMD ["node", "api/dist/main.js"]
