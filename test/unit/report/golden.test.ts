// Every file format against its golden file, for the passing and the failing fixture.
import { describe, it } from 'vitest';
import { getReporter } from '../../../src/report/index.js';
import { uplotAsset } from '../../../src/report/reporters/html.js';
import { expectGolden, fixture, type FixtureName } from './helpers.js';

const FORMATS = ['junit', 'sarif', 'md', 'html'] as const;

/** The inlined chart library (and the CSP hash over it) is not ours to pin in a golden file. */
function normalizeHtml(out: string): string {
  const lib = uplotAsset();
  return out
    .replace(`<script>${lib.js}</script>`, '<script>/* uPlot inlined here */</script>')
    .replace(lib.css, '/* uPlot CSS inlined here */')
    .replace(/script-src 'sha256-[^']+'/, "script-src 'sha256-(uPlot)'");
}

describe('golden files', () => {
  for (const name of ['passing', 'failing'] as FixtureName[]) {
    for (const format of FORMATS) {
      it(`${format} for the ${name} run`, () => {
        const reporter = getReporter(format);
        const out = reporter.render(fixture(name), { color: false });
        expectGolden(`${name}.${reporter.extension}`, format === 'html' ? normalizeHtml(out) : out);
      });
    }
  }
});
