// A reporter turns the JSON report into one output format. Built-ins register like extensions.
import type { Report } from './model.js';

export interface RenderOptions {
  /** Colour allowed (TTY, not CI, no NO_COLOR). */
  color: boolean;
  /** Terminal width hint for wrapping. */
  width?: number;
  /** Terminal detail: `quiet` (summary line only), `normal`, `verbose` (every exchange). */
  detail?: 'quiet' | 'normal' | 'verbose';
}

export interface Reporter {
  id: string;
  /** File extension when written beside the JSON report; undefined for terminal-only reporters. */
  extension?: string;
  description: string;
  render(report: Report, opts: RenderOptions): string;
}
