# The worker image: Debian-based Node 20 (DuckDB's and Postgres' native bindings need glibc).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY pipelines ./pipelines
RUN mkdir -p /var/lib/temporal-etl && chown node:node /var/lib/temporal-etl
USER node
CMD ["node", "--import", "tsx", "src/workers/main.ts"]
