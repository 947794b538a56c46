# The worker image: Debian-based Node 20 (DuckDB's and Postgres' native bindings need glibc).
# Stage 1 compiles src/ to dist/ (TypeScript is a dev dependency); stage 2 runs plain JavaScript.
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20.19.5-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY pipelines ./pipelines
RUN mkdir -p /var/lib/temporal-etl && chown node:node /var/lib/temporal-etl
USER node
# The worker by default; `etl` and `seed` run from the same image (see docker-compose.yml).
CMD ["node", "dist/workers/main.js"]
