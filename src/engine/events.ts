// The engine emits typed events; the terminal progress display and reporters only consume them.
import type { ResultRecord } from '../report/model.js';

export type RunEvent =
  | { type: 'run-start'; scenario: string; target: string; profile: string; seed: string; checks: number; endpoints: number }
  | { type: 'check-start'; check: string; endpoint: string }
  | { type: 'check-note'; check: string; endpoint: string; text: string }
  | { type: 'result'; result: ResultRecord }
  | { type: 'run-end'; verdict: string };

export type RunListener = (event: RunEvent) => void;
