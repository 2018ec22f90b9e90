# The todo frontend: Next.js standalone on node:20-alpine, three
# stages. Build context: the frontend directory (package.json,
# package-lock.json, next.config.* with output: "standalone").
#
# Only the base image's own `node` user (UID 1000) and POSIX commands are
# used, never apk or addgroup, so the file builds on Debian-based node images
# too.
ARG NODE_IMAGE=node:20-alpine

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm's download cache outlives the layer: a changed lockfile fetches only
# what is new.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS builder
WORKDIR /app
# NEXT_PUBLIC_* values are compiled into the browser bundle, so they are
# public by nature and must be known at build time. Nothing secret goes here.
ARG NEXT_PUBLIC_API_URL=""
ARG NEXT_PUBLIC_AUTH_URL=""
ARG NEXT_PUBLIC_VAPID_PUBLIC_KEY=""
ARG NEXT_PUBLIC_OPENAI_DOMAIN_KEY=""
ENV NEXT_PUBLIC_API_URL=${NEXT_PUBLIC_API_URL} \
    NEXT_PUBLIC_AUTH_URL=${NEXT_PUBLIC_AUTH_URL} \
    NEXT_PUBLIC_VAPID_PUBLIC_KEY=${NEXT_PUBLIC_VAPID_PUBLIC_KEY} \
    NEXT_PUBLIC_OPENAI_DOMAIN_KEY=${NEXT_PUBLIC_OPENAI_DOMAIN_KEY} \
    NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# public/ is optional in a Next.js app but the runner copies it. Next.js
# keeps its compiler cache in .next/cache; on a cache mount it outlives the
# layer, so a one-line edit recompiles what changed, not the whole app.
RUN --mount=type=cache,target=/app/.next/cache mkdir -p public && npm run build

FROM ${NODE_IMAGE} AS runner
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0
COPY --from=builder --chown=1000:1000 /app/public ./public
COPY --from=builder --chown=1000:1000 /app/.next/standalone ./
COPY --from=builder --chown=1000:1000 /app/.next/static ./.next/static
# Numeric: the kubelet verifies runAsNonRoot only for a numeric user. 1000 is
# the base image's `node` user.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:3000/', r => process.exit(r.statusCode < 500 ? 0 : 1)).on('error', () => process.exit(1))"]
CMD ["node", "server.js"]
