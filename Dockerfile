# Production image: Debian ffmpeg + the compiled app. Face models ship inside node_modules.
FROM node:20-bookworm-slim
# fonts-nanum: the title card's letters (Hangul and Latin) drawn by sharp/librsvg through fontconfig.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg ca-certificates fonts-nanum && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Optional dependencies are needed: @swc/core's and esbuild's platform binaries build the app.
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs && node scripts/build-web.mjs --quiet && npm prune --omit=dev
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 TALECAST_DATA_DIR=/data
# The data volume must be writable by the unprivileged user (a new named volume copies this
# directory's ownership).
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
EXPOSE 3000
USER node
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "--enable-source-maps", "dist/apps/api/src/main.js"]
