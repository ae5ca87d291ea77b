# syntax=docker/dockerfile:1
# nginx serving the built web app and proxying the API (nginx/nginx.conf). Built only with the
# repository's own commands: npm ci, npm run build -w web. From the repository root:
# docker build -f docker/web.Dockerfile .

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY api/package.json api/
COPY web/package.json web/
# The web build needs no native module: skip install scripts (better-sqlite3 is the API's).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY schema.graphql codegen.ts ./
COPY web web
RUN npm run build -w web

FROM nginx:1.27-alpine
COPY nginx/nginx.conf /etc/nginx/nginx.conf
COPY nginx/randchat.http.conf nginx/randchat.server.conf /etc/nginx/
COPY --from=build /app/web/dist /usr/share/nginx/html
EXPOSE 80
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
