# syntax=docker/dockerfile:1
# The platform's image: one build, every role (ROLE=api|projector|worker|all from the environment,
# docs/architecture.md "Processes"). deploy/compose.yaml runs the roles as separate services from it.
# No Docker engine runs where this project is developed: test/unit/deploy.test.ts checks this file's
# text (non-root USER, HEALTHCHECK, CMD, ENV names) and deploy/compose.yaml against the Compose schema.

# ---- build: the compiled server (tsc -p tsconfig.build.json) and the web client (vite), then only
# the production dependencies. The same Node and Debian as the runtime stage, so that the native
# packages npm ci picks for this platform (sharp, ffmpeg/ffprobe installers) run there.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

# ---- runtime: dist/ and web/dist with their node_modules and package.json ("type": "module" makes
# dist's .js files ES modules), owned by root and read-only to the process; only DATA_DIR is writable.
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# A container is reached from outside itself: listen on every interface (the default is 127.0.0.1).
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/web/dist ./web/dist
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# Every role answers /health on PORT (app/http/operations.ts); Node 20's own fetch, no curl in the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) is the graceful stop of app/main.ts: HTTP, then the platform.
# A young generation of 32 MB semi-spaces (as npm start and start:prod): half the scavenges of the
# default under 50 requests in flight, each copying about as much (docs/capacity.md "Node's young generation").
CMD ["node", "--max-semi-space-size=32", "--enable-source-maps", "dist/app/main.js"]
