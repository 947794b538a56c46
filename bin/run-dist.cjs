#!/usr/bin/env node
// Runs a compiled entry point of dist/ (`node bin/run-dist.cjs client/cli.js …`): plain JavaScript, no
// TypeScript compiler at run time. Builds dist/ first (npm run build) when it is missing or older than src/.
'use strict';
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.tsbuildinfo');

function newestIn(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return 0;
  }
}

// An image or package ships dist/ without src/: nothing to build from, run what is there.
const hasSources = existsSync(join(root, 'src'));
if (hasSources && builtAt() < Math.max(newestIn(join(root, 'src')), statSync(join(root, 'tsconfig.build.json')).mtimeMs)) {
  process.stderr.write('building dist/ from src/ (npm run build)…\n');
  const tsc = require.resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const now = new Date();
  utimesSync(stamp, now, now);
}

// Without an entry point (`node bin/run-dist.cjs`) it only brings dist/ up to date.
const [entry] = process.argv.splice(2, 1);
if (entry) require(join(root, 'dist', entry));
