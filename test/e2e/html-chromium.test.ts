// The HTML report in a real headless Chromium (Debian's, driven by playwright-core), from a real
// run of the built CLI against a flawed reference server. The page must work offline: every request
// except the report file itself is blocked and recorded, and none may be attempted. Then: the
// verdict overview, a finding with its evidence and curl reproduction, uPlot charts that really
// drew pixels, a table that sorts and filters, no console errors, and a screenshot that is not blank.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctColours, guardedPage, launchChromium, requireChromium, type Chromium, type GuardedPage } from '../helpers/chromium.js';
import { runCli, startServe } from '../helpers/cli.js';

let dir: string;
let server: Awaited<ReturnType<typeof startServe>> | undefined;
let browser: Chromium | undefined;
let report: any;
let fileUrl: string;
let g: GuardedPage;

/** Rows of the results table in display order, as the page shows them. */
const rows = (): Promise<Array<{ index: number; check: string; hidden: boolean }>> =>
  g.page.$$eval('#results tbody tr', (trs) =>
    trs.map((tr) => ({
      index: Number(tr.getAttribute('data-index')),
      check: (tr as HTMLTableRowElement).cells[1]!.textContent ?? '',
      hidden: (tr as HTMLElement).hidden,
    })),
  );

beforeAll(async () => {
  requireChromium(); // before anything else: a missing browser fails at once, with how to get it
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-html-'));
  server = await startServe(['--flaw', 'race', '--flaw', 'header-drop']);
  const reportDir = path.join(dir, 'reports');
  const r = await runCli(
    ['run', 'scenarios/reference.yaml', '--target', server.url, '--format', 'json,html', '--report-dir', reportDir, '--seed', 'html-e2e'],
    { timeoutMs: 60_000 },
  );
  expect(r.code, r.stderr).toBe(1);
  const files = (await readdir(reportDir)).sort();
  expect(files.map((f) => path.extname(f))).toEqual(['.html', '.json']);
  report = JSON.parse(await readFile(path.join(reportDir, files[1]!), 'utf8'));
  fileUrl = pathToFileURL(path.join(reportDir, files[0]!)).href;

  browser = await launchChromium();
  g = await guardedPage(browser.context, [fileUrl]);
  await g.page.goto(fileUrl, { waitUntil: 'load' });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('HTML report in headless Chromium, offline', () => {
  it('loads with no network request, no console error and no script error', async () => {
    expect(g.routed).toContain(fileUrl); // the guard really sat in the request path
    expect(g.blocked).toEqual([]);
    expect(g.errors).toEqual([]);
    // The inlined uPlot build ran despite the CSP (its hash is pinned) and defined its global.
    expect(await g.page.evaluate(() => typeof (window as any).uPlot)).toBe('function');
    expect(await g.page.title()).toBe('idemaudit: reference (FAIL)');
  });

  it('the guard itself blocks and records what a page tries to fetch (so an empty list means something)', async () => {
    const probe = await guardedPage(browser!.context, []);
    try {
      await probe.page.setContent('<img src="http://127.0.0.1:9/pixel.png"><link rel="stylesheet" href="https://cdn.invalid/x.css">', { waitUntil: 'load' });
      expect(probe.blocked.sort()).toEqual(['http://127.0.0.1:9/pixel.png', 'https://cdn.invalid/x.css']);
    } finally {
      await probe.page.close();
    }
  });

  it('shows the verdict overview with the counts of the JSON report', async () => {
    const { summary } = report;
    expect(summary.verdict).toBe('fail');
    expect(await g.page.locator('header h1 .badge').innerText()).toBe('FAIL');
    const cards = await g.page.$$eval('#overview .card', (els) =>
      els.map((el) => {
        const n = el.querySelector('b')!.textContent;
        return [el.textContent.slice(n.length), Number(n)] as const;
      }),
    );
    expect(Object.fromEntries(cards)).toEqual({
      passed: summary.counts.pass,
      failed: summary.counts.fail,
      violations: summary.levels.violation,
      deviations: summary.levels.deviation,
      observations: report.results.filter((r: any) => r.level === 'observation' && (r.verdict === 'pass' || r.verdict === 'fail')).length,
      skipped: summary.counts.skip,
      inconclusive: summary.counts.inconclusive ?? 0,
      errors: summary.counts.error,
    });
    expect(summary.levels.violation).toBeGreaterThan(0);
    expect(summary.levels.deviation).toBeGreaterThan(0);
    expect(await g.page.locator('header .meta').innerText()).toContain(server!.url);
  });

  it('shows the race as a violation finding with its evidence, full evidence redacted', async () => {
    const race = report.results.find((r: any) => r.check === 'concurrent-duplicates' && r.verdict === 'fail');
    expect(race).toMatchObject({ level: 'violation' });
    const article = g.page.locator('#findings article.finding.violation', { hasText: 'concurrent-duplicates' }).first();
    await expect.poll(() => article.count()).toBe(1);
    const text = await article.innerText();
    expect(text).toContain(race.message);
    expect(text).toContain(race.reference);
    // One evidence line per exchange, as in the JSON: "#12 copy 1: POST <url>/payments key=... -> 201".
    const lines = (await article.locator(':scope > pre:not(.reproduce)').innerText()).split('\n');
    expect(lines).toHaveLength(race.evidence.length);
    expect(lines[0]).toMatch(new RegExp(`^#${race.evidence[0].seq} .*: POST ${server!.url}/payments key=\\S+ tenant=\\w+ -> \\d{3} `));
    // The full evidence sits behind a <details>; opening it shows headers, redacted.
    const details = article.locator('details');
    expect(await details.locator('pre').first().isVisible()).toBe(false);
    await details.locator('summary').click();
    const full = details.locator('pre').first();
    expect(await full.isVisible()).toBe(true);
    const block = await full.innerText();
    expect(block).toMatch(/^> authorization: \[REDACTED\]$/m);
    expect(block).toMatch(/^> idempotency-key: "\S+"$/m);
    expect(block).toMatch(/^< \d{3} \(\d+ bytes, sha256 [0-9a-f]{12}\)$/m);
  });

  it('shows the curl reproduction of every failed finding, secrets as variables', async () => {
    const failed = report.results.filter((r: any) => r.verdict === 'fail');
    expect(failed.length).toBe(report.summary.counts.fail);
    for (const r of failed) expect(r.reproduce?.length, r.check).toBeGreaterThan(0);
    const shown = await g.page.$$eval('#findings article.finding pre.reproduce', (pres) => pres.map((p) => (p as HTMLElement).innerText));
    expect(shown.join('\n').split('\n').sort()).toEqual(failed.flatMap((r: any) => r.reproduce.map((c: string) => `$ ${c}`)).sort());
    // The race is replayed as one parallel curl invocation, credentials as $IDEMAUDIT_* variables.
    const race = g.page.locator('#findings article.finding.violation', { hasText: 'concurrent-duplicates' }).first();
    const cmd = await race.locator('pre.reproduce').innerText();
    expect(cmd).toMatch(/^\$ curl -sS --parallel --parallel-immediate --parallel-max \d+ -i -X POST '[^']+\/payments'/);
    expect(cmd).toContain('-H "authorization: ${IDEMAUDIT_AUTHORIZATION}"');
    expect(cmd).not.toContain('demo-token');
  });

  it('draws every latency chart with uPlot: sized canvases with each series in its colour', async () => {
    const charts = await g.page.$$eval('#latency .chart', (els) => {
      const data = JSON.parse(document.getElementById('idemaudit-data')!.textContent);
      const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      return els.map((el, i) => {
        const canvas = el.querySelector('canvas');
        if (!canvas) return { id: el.id, canvas: false };
        const ctx = canvas.getContext('2d')!;
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        const series: Record<string, number> = {};
        const targets = (data.charts[i].series as Array<{ outcome: string }>).map((s) => [s.outcome, rgb(data.colors[s.outcome])] as const);
        for (const [outcome] of targets) series[outcome] = 0;
        for (let p = 0; p < px.length; p += 4) {
          if (px[p + 3] === 0) continue; // uPlot's canvas background is transparent
          painted++;
          for (const [outcome, [r, g, b]] of targets) {
            if (px[p + 3]! > 200 && Math.abs(px[p]! - r!) + Math.abs(px[p + 1]! - g!) + Math.abs(px[p + 2]! - b!) < 40) series[outcome]! += 1;
          }
        }
        const box = canvas.getBoundingClientRect();
        return {
          id: el.id,
          canvas: true,
          width: canvas.width,
          height: canvas.height,
          shownWidth: box.width,
          shownHeight: box.height,
          painted,
          total: px.length / 4,
          series,
        };
      });
    });
    // One chart per endpoint with latency, as in the JSON report.
    expect(charts.map((c) => c.id)).toEqual(Object.keys(report.latency).map((_, i) => `chart-${i}`));
    expect(charts.length).toBe(2);
    for (const c of charts) {
      expect(c).toMatchObject({ canvas: true, width: 640, shownWidth: 640 });
      expect(c.height).toBeGreaterThan(100);
      expect(c.shownHeight).toBeGreaterThan(100);
      // Axes, grid, lines and points: a real share of the canvas, but not a filled rectangle.
      expect(c.painted).toBeGreaterThan(1000);
      expect(c.painted).toBeLessThan(c.total! / 2);
      // Every outcome's line and points are drawn in its own colour.
      for (const [outcome, n] of Object.entries(c.series!)) expect(n, `${c.id} ${outcome}`).toBeGreaterThan(10);
    }
  });

  it('takes a screenshot that is not blank', async () => {
    const shot = await g.page.screenshot({ fullPage: true, type: 'png' });
    expect(shot.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // Control: the same decoder and counter on about:blank see exactly one colour.
    const blankPage = await guardedPage(browser!.context, []);
    await blankPage.page.goto('about:blank');
    const blank = await distinctColours(browser!.context, await blankPage.page.screenshot({ type: 'png' }));
    await blankPage.page.close();
    expect(blank).toEqual({ width: 1280, height: 900, colours: 1 });
    const page = await distinctColours(browser!.context, shot);
    expect(page.width).toBe(1280);
    expect(page.height).toBeGreaterThan(900); // findings and the results table run past one screen
    expect(page.colours).toBeGreaterThan(200); // text anti-aliasing, badges, chart lines
  });

  for (const [width, scheme] of [
    [390, 'light'],
    [390, 'dark'],
    [1440, 'light'],
    [1440, 'dark'],
  ] as const) {
    it(`at ${width} px (${scheme}): no horizontal scroll, no console error, a screenshot that is not blank`, async () => {
      const page = await guardedPage(browser!.context, [fileUrl]);
      try {
        await page.page.setViewportSize({ width, height: 844 });
        await page.page.emulateMedia({ colorScheme: scheme });
        await page.page.goto(fileUrl, { waitUntil: 'load' });
        expect(page.errors).toEqual([]);
        expect(page.blocked).toEqual([]);
        const overflow = await page.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
        expect(overflow.scroll, `page is ${overflow.scroll} px wide in a ${overflow.client} px viewport`).toBeLessThanOrEqual(overflow.client);
        // The race is drawn: a timeline with highlighted executed copies, inside the viewport.
        const tl = page.page.locator('figure.timeline svg').first();
        expect(await tl.isVisible()).toBe(true);
        expect((await tl.boundingBox())!.width).toBeLessThanOrEqual(width);
        expect(await page.page.locator('figure.timeline g.lane.executed').count()).toBeGreaterThan(1);
        // The executive summary is on the first screen.
        const exec = await page.page.locator('#executive').boundingBox();
        expect(exec!.y).toBeLessThan(844);
        const bg = await page.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(bg).toBe(scheme === 'dark' ? 'rgb(17, 24, 39)' : 'rgb(255, 255, 255)');
        const shot = await distinctColours(browser!.context, await page.page.screenshot({ fullPage: true, type: 'png' }));
        expect(shot.width).toBe(width);
        expect(shot.colours).toBeGreaterThan(100);
        // Printable: the print stylesheet hides the controls.
        await page.page.emulateMedia({ media: 'print' });
        expect(await page.page.locator('.controls').isVisible()).toBe(false);
      } finally {
        await page.page.close();
      }
    });
  }

  it('sorts the results table when a header is clicked, both ways, and back by #', async () => {
    const before = await rows();
    expect(before).toHaveLength(report.results.length);
    expect(before.map((r) => r.index)).toEqual(report.results.map((_: unknown, i: number) => i));
    const checkHead = g.page.locator('#results thead th', { hasText: /^check/ });

    await checkHead.click();
    expect(await checkHead.getAttribute('aria-sort')).toBe('ascending');
    const asc = await rows();
    const byCheck = [...before].sort((a, b) => a.check.localeCompare(b.check) || a.index - b.index);
    expect(asc.map((r) => r.index)).toEqual(byCheck.map((r) => r.index));
    expect(asc.map((r) => r.index)).not.toEqual(before.map((r) => r.index));

    await checkHead.click();
    expect(await checkHead.getAttribute('aria-sort')).toBe('descending');
    const desc = await rows();
    expect(desc[0]!.check).toBe(byCheck[byCheck.length - 1]!.check);
    expect(desc.map((r) => r.check)).toEqual([...byCheck.map((r) => r.check)].reverse());

    await g.page.locator('#results thead th', { hasText: /^#/ }).click();
    expect((await rows()).map((r) => r.index)).toEqual(before.map((r) => r.index));
  });

  it('filters the results table as the user types, and by verdict', async () => {
    const total = report.results.length;
    const visible = async (): Promise<number> => (await rows()).filter((r) => !r.hidden).length;
    expect(await visible()).toBe(total);

    await g.page.locator('#filter-text').pressSequentially('concurrent');
    const expected = report.results.filter((r: any, i: number) =>
      `${i + 1}${r.check}${r.endpoint}${r.verdict}${r.level}${r.message}`.toLowerCase().includes('concurrent'),
    ).length;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(total);
    expect(await visible()).toBe(expected);
    expect(
      (await rows())
        .filter((r) => !r.hidden)
        .every((r) => r.check === 'concurrent-duplicates' || report.results[r.index].message.toLowerCase().includes('concurrent')),
    ).toBe(true);
    expect(await g.page.locator('#shown').innerText()).toBe(`${expected} of ${total} results`);

    await g.page.locator('#filter-text').fill('');
    await g.page.locator('#filter-verdict').selectOption('fail');
    expect(await visible()).toBe(report.summary.counts.fail);
    expect(await g.page.locator('#shown').innerText()).toBe(`${report.summary.counts.fail} of ${total} results`);

    await g.page.locator('#filter-verdict').selectOption('');
    expect(await visible()).toBe(total);
    // Still nothing fetched and nothing logged after all that interaction.
    expect(g.blocked).toEqual([]);
    expect(g.errors).toEqual([]);
  });
});

// Every picture of the report, from one real run of test/fixtures/scenarios/pictures.yaml against a
// server that races (no in-flight protection) and fails open in a store outage: the race timeline
// with the ledger's arrivals, a sequence diagram per chaos finding, the load run's percentile plot.
describe('every picture, drawn at 390 px and 1440 px, light and dark', () => {
  let pdir: string;
  let pserver: Awaited<ReturnType<typeof startServe>> | undefined;
  let preport: any;
  let purl: string;

  beforeAll(async () => {
    pdir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-pictures-'));
    pserver = await startServe(['--processing-ms', '100', '--lease', '1s', '--flaw', 'no-inflight', '--flaw', 'fail-open']);
    const reportDir = path.join(pdir, 'reports');
    const r = await runCli(
      [
        'run',
        'test/fixtures/scenarios/pictures.yaml',
        '--target',
        pserver.url,
        '--format',
        'json,html',
        '--report-dir',
        reportDir,
        '--seed',
        'pictures',
        '--quiet',
      ],
      { timeoutMs: 90_000 },
    );
    expect(r.code, r.stderr).toBe(1);
    const files = (await readdir(reportDir)).filter((f) => f.endsWith('.json') || f.endsWith('.html')).sort();
    preport = JSON.parse(await readFile(path.join(reportDir, files[1]!), 'utf8'));
    purl = pathToFileURL(path.join(reportDir, files[0]!)).href;
  }, 120_000);

  afterAll(async () => {
    await pserver?.stop();
    if (pdir) await rm(pdir, { recursive: true, force: true });
  });

  it('the run recorded what the pictures draw', () => {
    const race = preport.results.find((r: any) => r.check === 'concurrent-duplicates' && r.verdict === 'fail');
    expect(race.facts.arrivalsMs.length).toBe(race.evidence.length); // the ledger saw every copy arrive
    expect(race.facts.executionsMs.length).toBeGreaterThan(1);
    const chaos = preport.results.filter((r: any) => r.verdict === 'fail' && r.facts?.sequence?.length > 0);
    expect(new Set(chaos.map((r: any) => r.check))).toEqual(new Set(['gateway-duplicate', 'store-outage']));
    expect(Object.keys(preport.histograms ?? {})).toEqual(['create-payment']);
  });

  for (const [width, scheme] of [
    [390, 'light'],
    [390, 'dark'],
    [1440, 'light'],
    [1440, 'dark'],
  ] as const) {
    it(`at ${width} px (${scheme}): every picture present, drawn and inside the page; no horizontal scroll, no console error`, async () => {
      const page = await guardedPage(browser!.context, [purl]);
      try {
        await page.page.setViewportSize({ width, height: 844 });
        await page.page.emulateMedia({ colorScheme: scheme });
        await page.page.goto(purl, { waitUntil: 'load' });
        expect(page.errors).toEqual([]);
        expect(page.blocked).toEqual([]);
        const overflow = await page.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
        expect(overflow.scroll, `page is ${overflow.scroll} px wide in a ${overflow.client} px viewport`).toBeLessThanOrEqual(overflow.client);

        // Race timeline: a lane per copy, the server lane with one tick per arrival and a block per execution.
        const race = preport.results.find((r: any) => r.check === 'concurrent-duplicates' && r.verdict === 'fail');
        const tl = page.page.locator('figure.timeline').first();
        expect(await tl.locator('g.lane').count()).toBe(race.evidence.length);
        expect(await tl.locator('g.lane.executed').count()).toBeGreaterThan(1);
        expect(await tl.locator('g.server line.arrival').count()).toBe(race.facts.arrivalsMs.length);
        expect(await tl.locator('g.server rect.execution').count()).toBe(race.facts.executionsMs.length);

        // One sequence diagram per chaos finding, in the findings' order.
        const chaos = preport.results.filter((r: any) => r.verdict === 'fail' && r.facts?.sequence?.length > 0);
        const seq = page.page.locator('#findings figure.sequence');
        expect(await seq.count()).toBe(chaos.length);
        const dup = page.page.locator('article.finding', { hasText: 'gateway-duplicate' }).locator('figure.sequence');
        expect(await dup.locator('g.lifeline').count()).toBe(3); // client, fault proxy, server
        expect(await dup.locator('g.arrow.duplicate').count()).toBe(1);
        expect(await dup.locator('path.cross').count()).toBe(1);
        expect(await dup.locator('g.execution.extra').count()).toBeGreaterThan(0);
        const outage = page.page.locator('article.finding', { hasText: 'store-outage' }).first().locator('figure.sequence');
        expect(await outage.locator('g.lifeline').count()).toBe(2); // no proxy in a store outage
        expect(await outage.locator('g.outage').count()).toBe(1);

        // The load run's percentile distribution: a line per outcome with a mark per point.
        const outcomes = Object.keys(preport.histograms['create-payment']);
        const plot = page.page.locator('#load-latency figure.percentiles');
        expect(await plot.count()).toBe(1);
        expect(await plot.locator('polyline').count()).toBe(outcomes.length);
        expect(await plot.locator('circle').count()).toBeGreaterThan(outcomes.length * 5);
        for (const o of outcomes) {
          const line = await plot.locator(`g.series[data-outcome="${o}"] polyline`).boundingBox();
          expect(line!.width, o).toBeGreaterThan(width > 400 ? 100 : 40);
        }

        // Every picture sits inside the viewport at a real size; one of each kind is checked for pixels.
        const figures = page.page.locator('figure.timeline svg, figure.sequence svg, figure.percentiles svg');
        const n = await figures.count();
        expect(n).toBe(preport.results.filter((r: any) => r.check === 'concurrent-duplicates' && r.verdict === 'fail').length + chaos.length + 1);
        const boxes = await figures.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as { x: number; width: number }));
        for (const box of boxes) {
          expect(box.x).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width).toBeLessThanOrEqual(width);
          expect(box.width).toBeGreaterThan(width > 400 ? 500 : 300);
        }
        for (const kind of ['timeline', 'sequence', 'percentiles']) {
          const shot = await distinctColours(browser!.context, await page.page.locator(`figure.${kind} svg`).first().screenshot({ type: 'png' }));
          expect(shot.colours, kind).toBeGreaterThan(8);
        }
        const bg = await page.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(bg).toBe(scheme === 'dark' ? 'rgb(17, 24, 39)' : 'rgb(255, 255, 255)');
        const shot = await distinctColours(browser!.context, await page.page.screenshot({ fullPage: true, type: 'png' }));
        expect(shot.width).toBe(width);
        expect(shot.colours).toBeGreaterThan(100);
        // Printable: on paper the pictures stay, whole.
        await page.page.emulateMedia({ media: 'print' });
        expect(await page.page.locator('figure.sequence').first().isVisible()).toBe(true);
        expect(await page.page.locator('figure.percentiles').isVisible()).toBe(true);
        expect(page.errors).toEqual([]);
      } finally {
        await page.page.close();
      }
    }, 120_000); // seven pictures and four screenshots on a shared 2-core machine
  }
});
