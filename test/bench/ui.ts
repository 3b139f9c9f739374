/// <reference lib="dom" />
// UI figures, measured in Debian's Chromium against `yoke serve` (the same renderer the
// desktop window loads): time to interactive, the history with 10,000 builds, and the live
// log with 1,000,000 lines streamed from a real build (a post-build hook that prints them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { openStore } from '../../src-main/store/store';
import { sampleApplianceDir } from '../../src-main/util/resources';
import { makeTestHome } from '../integration/build/helpers';

type Row = { figure: string; yoke: string; floor: string; ratio: string; target: string };
const ROOT = path.resolve(__dirname, '../..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

function seedBuilds(home: string, n: number): void {
  const store = openStore(home);
  const t0 = Date.now() - n * 60_000;
  store.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = store.createBuild({ appliance: `app-${i % 7}`, dir: `/tmp/app-${i % 7}`, version: `1.${Math.floor(i / 100)}.${i % 100}`, createdAt: t0 + i * 60_000 });
      store.finishBuild(id, { status: i % 13 === 0 ? 'failed' : 'succeeded', durationMs: 3000 + (i % 50) * 40, bytes: 30_000_000 + i, finishedAt: t0 + i * 60_000 + 3000 });
    }
  });
  store.close();
}

async function serve(home: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin/yoke.js'), 'serve', '--port', '0', '--home', home], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`yoke serve exited with ${code}`)));
  });
  return { url, proc };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeToInteractive(page: Page, url: string): Promise<number> {
  const t0 = performance.now();
  await page.goto(url);
  await page.getByRole('button', { name: 'Builds' }).or(page.getByRole('link', { name: 'Builds' })).first().waitFor({ state: 'visible' });
  return performance.now() - t0;
}

async function logThroughput(page: Page, home: string): Promise<{ lines: number; seconds: number } | null> {
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-bench-log-'));
  fs.cpSync(sampleApplianceDir(), app, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true, verbatimSymlinks: true });
  fs.mkdirSync(path.join(app, 'scripts'));
  fs.writeFileSync(path.join(app, 'scripts', 'spam.sh'), '#!/bin/sh\nseq 1 1000000 | sed "s/^/line /"\n', { mode: 0o755 });
  const spec = fs.readFileSync(path.join(app, 'appliance.yaml'), 'utf8').replace(/^outputs:.*$/m, 'outputs: [raw]');
  fs.writeFileSync(path.join(app, 'appliance.yaml'), `${spec}\nhooks:\n  post-build: [scripts/spam.sh]\n`);
  void home;
  await page.getByRole('button', { name: 'Appliances' }).first().click();
  const folder = page.getByLabel('Appliance folder');
  if (!(await folder.isVisible().catch(() => false))) await page.getByRole('button', { name: 'Open appliance' }).first().click();
  await folder.fill(app);
  await folder.press('Enter');
  // The page itself watches the log's line counter every frame: from the first hook lines until
  // the millionth (the view is virtualized, so individual early lines leave the DOM at once).
  const watch = page.evaluate(
    () =>
      new Promise<{ seconds: number; lines: number }>((resolve) => {
        let start = 0;
        const count = () => {
          const el = [...document.querySelectorAll('body *')].find((e) => /^[\d,]+ lines$/.test(e.textContent ?? ''));
          return el ? Number((el.textContent ?? '').replace(/[^\d]/g, '')) : 0;
        };
        const tick = () => {
          const n = count();
          if (!start && n > 1000) start = performance.now();
          if (n >= 1_000_000) return resolve({ seconds: (performance.now() - start) / 1000, lines: n });
          requestAnimationFrame(tick);
        };
        tick();
      }),
  );
  await page.getByRole('button', { name: 'Build', exact: true }).first().click();
  const log = page.getByRole('log', { name: 'Build log' });
  try {
    const r = await Promise.race([watch, new Promise<null>((res) => setTimeout(() => res(null), 600_000))]);
    if (r) await log.getByText('line 1000000', { exact: true }).waitFor({ timeout: 60_000 });
    return r;
  } catch {
    return null;
  } finally {
    fs.rmSync(app, { recursive: true, force: true });
  }
}

export async function benchUi(): Promise<Row[]> {
  process.stderr.write('ui (Chromium against yoke serve)\n');
  const rows: Row[] = [];
  const home = await makeTestHome('yoke-bench-ui-');
  seedBuilds(home, 10_000);
  // The Builds screen asks for its first screenful (200 rows), then for the rest.
  const firstPage: number[] = [];
  const queries: number[] = [];
  const store = openStore(home);
  for (let i = 0; i < 7; i++) {
    let t = performance.now();
    store.listBuilds({ limit: 200 });
    firstPage.push(performance.now() - t);
    t = performance.now();
    store.listBuilds({});
    queries.push(performance.now() - t);
  }
  store.close();
  const { url, proc } = await serve(home);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const ttis: number[] = [];
    // The printed URL's token works once: the first page signs in, the others bring its cookie.
    const base = url.replace(/\?token=.*$/, '');
    let cookies: Awaited<ReturnType<BrowserContext['cookies']>> | null = null;
    const newContext = async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      if (cookies) await ctx.addCookies(cookies);
      return ctx;
    };
    for (let i = 0; i < 3; i++) {
      const ctx = await newContext();
      const page = await ctx.newPage();
      ttis.push(await timeToInteractive(page, cookies ? base : url));
      cookies ??= await ctx.cookies();
      await ctx.close();
    }
    rows.push({ figure: 'UI time to interactive (median of 3)', yoke: `${median(ttis).toFixed(0)} ms`, floor: '', ratio: '', target: '≤ 1 s' });
    rows.push({ figure: 'history of 10,000 builds: first-page query, 200 rows (median of 7)', yoke: `${median(firstPage).toFixed(1)} ms`, floor: '', ratio: '', target: '≤ 10 ms' });
    rows.push({ figure: 'history of 10,000 builds: whole-list query (median of 7)', yoke: `${median(queries).toFixed(1)} ms`, floor: '', ratio: '', target: '' });
    const ctx = await newContext();
    const page = await ctx.newPage();
    await timeToInteractive(page, base);
    // Measured inside the page (click to rows on screen), without Playwright's round trips.
    const renderMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const nav = [...document.querySelectorAll('button, a')].find((e) => e.textContent?.trim() === 'Builds') as HTMLElement;
          const t0 = performance.now();
          nav.click();
          const tick = () => {
            const table = document.querySelector('table[aria-label="Builds"]');
            if (table && table.querySelectorAll('tr[aria-rowindex]').length > 5) return resolve(performance.now() - t0);
            requestAnimationFrame(tick);
          };
          tick();
        }),
    );
    rows.push({ figure: 'history of 10,000 builds: first render', yoke: `${renderMs.toFixed(0)} ms`, floor: '', ratio: '', target: '≤ 100 ms' });
    const log = await logThroughput(page, home);
    rows.push({
      figure: 'live log: 1,000,000 lines from a build hook',
      yoke: log ? `${Math.round(1_000_000 / log.seconds).toLocaleString('en')} lines/s, ${log.lines.toLocaleString('en')} lines held` : 'did not finish',
      floor: '',
      ratio: '',
      target: '≥ 50,000 lines/s, none lost',
    });
    for (const r of rows) process.stderr.write(`  ${r.figure}: ${r.yoke}\n`);
  } finally {
    await browser.close();
    proc.kill('SIGTERM');
  }
  return rows;
}
