// Shared by the browser tests and the benchmark: find Debian's chromium and
// the test packages, build roster, start `roster serve` on a free loopback
// port with a fresh data directory, and launch the browser.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, '..', '..');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// requirements exits when the browser or the packages are missing: a
// failure on CI, a skip with a message on a developer machine.
export function requirements(what) {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install chromium)`);
  if (!existsSync(join(here, 'node_modules', 'playwright-core'))) missing.push('web/test/node_modules (npm ci --prefix web/test)');
  if (!missing.length) return;
  if (process.env.CI === 'true') {
    console.error(`FAIL ${what}: missing ${missing.join(', ')}`);
    process.exit(1);
  }
  console.log(`SKIP ${what}: missing ${missing.join(', ')} (this fails when CI=true)`);
  process.exit(0);
}

// setup builds roster and the fixtures and starts the server.
export async function setup({ rows = 0 } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'roster-web-'));
  const bin = join(work, 'roster');
  execFileSync('go', ['build', '-o', bin, './cmd/roster'], { cwd: repo, stdio: 'inherit' });
  execFileSync('go', ['run', './web/test/fixture', '-out', work, '-rows', String(rows)], { cwd: repo, stdio: 'inherit' });
  const data = join(work, 'data');
  mkdirSync(data);
  const proc = spawn(bin, ['serve', '--data', data, '--addr', '127.0.0.1:0'], {
    cwd: work, env: { ...process.env, ROSTER_DEV_SECRET: 'web-test-secret-0123456789' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let errOut = '';
  proc.stderr.on('data', (b) => { errOut += b; });
  const ready = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('roster serve did not start:\n' + out + errOut)), 30000);
    proc.stdout.on('data', (b) => {
      out += b;
      const link = /(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(out);
      if (link) { clearTimeout(t); resolve({ base: link[1], token: link[2], signIn: link[0] }); }
    });
    proc.on('exit', (code) => reject(new Error(`roster serve exited ${code}:\n${out}${errOut}`)));
  });
  const apiCall = async (method, path, body) => {
    const res = await fetch(ready.base + path, {
      method, headers: { Authorization: 'Bearer ' + ready.token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    ...ready, work, api: apiCall, serverLog: () => errOut,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => { if (proc.exitCode !== null) r(); else proc.on('exit', r); });
      rmSync(work, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'roster-chromium-'));
  // A fresh profile each run (--user-data-dir, given the playwright way).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--enable-precise-memory-info'],
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

export const demoProgram = {
  name: 'Demo Mentoring Program', roles: ['mentee', 'mentor'],
  questions: [
    { key: 'firstName', label: 'First name', type: 'text', required: true },
    { key: 'lastName', label: 'Last name', type: 'text', required: true },
    { key: 'department', label: 'Department', type: 'single', options: ['Engineering', 'Sales', 'Finance', 'People'] },
  ],
};
