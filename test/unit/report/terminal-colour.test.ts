// The terminal reporter colours with Node's util.styleText (no colour package): ANSI codes exactly
// when the caller says the stream is a colour TTY, whatever process.stdout happens to be in the test.
import { describe, expect, it } from 'vitest';
import { terminalReporter } from '../../../src/report/reporters/terminal.js';
import { fixture } from './helpers.js';

// eslint-disable-next-line no-control-regex -- the escape character is what is looked for
const ANSI = /\u001b\[\d+m/;

describe('terminal reporter colour', () => {
  it('paints verdicts when asked for colour, even when process.stdout is not a TTY', () => {
    const out = terminalReporter.render(fixture('failing'), { color: true });
    expect(out).toMatch(ANSI);
    expect(out).toContain('\u001b[31m'); // red for a failed verdict
  });

  it('emits no escape codes without colour', () => {
    expect(terminalReporter.render(fixture('failing'), { color: false })).not.toMatch(ANSI);
  });
});
