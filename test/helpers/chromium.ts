// Debian's Chromium driven by playwright-core, for tests of what a browser really does with our
// HTML. No browser is downloaded: `.ci/run` installs the distribution's package, and a missing
// browser fails the test (it never skips). Every page opened here is offline: each request is
// routed, only the allowed URLs pass, and everything else is aborted and recorded.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's launcher; IDEMAUDIT_CHROMIUM points elsewhere for a local run on another system. */
export const CHROMIUM_PATH = process.env.IDEMAUDIT_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The browser binary, or an error that says how to get it (CI installs it; locally, you do). */
export function requireChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const install = 'apt-get update && apt-get install -y chromium';
  throw new Error(
    process.env.CI === 'true'
      ? `Chromium is missing at ${CHROMIUM_PATH} on CI: .ci/run installs it (${install}); check that step's output`
      : `Chromium is missing at ${CHROMIUM_PATH}: install it (${install}), or set IDEMAUDIT_CHROMIUM to a Chromium binary. The HTML report's browser test does not skip.`,
  );
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh, throwaway profile: nothing cached or remembered between runs. */
export async function launchChromium(opts: { timeoutMs?: number } = {}): Promise<Chromium> {
  const executablePath = requireChromium();
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: opts.timeoutMs ?? 30_000,
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    context.setDefaultTimeout(10_000);
    return {
      context,
      close: async () => {
        await context.close().catch(() => {});
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
}

export interface GuardedPage {
  page: Page;
  /** Every URL the route saw, allowed or not: proof the guard was in the path. */
  routed: string[];
  /** URLs the page tried to load and was refused. */
  blocked: string[];
  /** console.error messages (CSP violations land here) and uncaught exceptions. */
  errors: string[];
}

/** A new page whose only reachable URLs are `allow`; everything else is aborted and recorded. */
export async function guardedPage(context: BrowserContext, allow: string[]): Promise<GuardedPage> {
  const page = await context.newPage();
  const g: GuardedPage = { page, routed: [], blocked: [], errors: [] };
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    g.routed.push(url);
    if (allow.includes(url)) return route.continue();
    g.blocked.push(url);
    return route.abort('blockedbyclient');
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') g.errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => g.errors.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (!g.blocked.includes(req.url())) g.errors.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  return g;
}

/**
 * Decode a PNG with the browser's own decoder (on a blank, offline page) and count its distinct
 * RGBA colours, up to `cap`. A blank page gives 1; a rendered report gives hundreds.
 */
export async function distinctColours(context: BrowserContext, png: Buffer, cap = 5000): Promise<{ width: number; height: number; colours: number }> {
  const g = await guardedPage(context, []);
  try {
    return await g.page.evaluate(
      async ({ b64, cap }) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
        ctx.drawImage(img, 0, 0);
        const px = new Uint32Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
        const seen = new Set<number>();
        for (let i = 0; i < px.length && seen.size < cap; i++) seen.add(px[i]!);
        return { width: canvas.width, height: canvas.height, colours: seen.size };
      },
      { b64: png.toString('base64'), cap },
    );
  } finally {
    await g.page.close();
  }
}
