# hoibao: build with the dev tools, run with production dependencies only, as a non-root user.
#   docker build -t hoibao .
#   docker run -d --env-file .env -v hoibao-data:/app/data -v hoibao-cache:/app/.cache \
#     -v "$PWD/knowledge:/app/knowledge" -p 8080:8080 hoibao
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production LOG_FORMAT=json PORT=8080
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY lexicon ./lexicon
COPY locales ./locales
COPY knowledge ./knowledge
RUN mkdir -p data .cache && chown -R node:node data .cache knowledge
USER node
# Articles, the SQLite database and the index cache outlive the container.
VOLUME ["/app/knowledge", "/app/data", "/app/.cache"]
EXPOSE 8080
# Webhook mode, or polling with PORT set: GET /health answers 200 when Telegram and the database are fine.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/cli/start.js"]
