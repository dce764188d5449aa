// The audit emits typed events; the terminal progress display and reporters only consume them.
import type { ResultRecord } from '../report/model.js';
import type { CheckEvent } from '../checks/api.js';
import type { LoadProgress } from '../engine/load/types.js';

export type RunEvent =
  | { type: 'run-start'; scenario: string; target: string; profile: string; seed: string; checks: number; endpoints: number }
  | { type: 'check-start'; check: string; endpoint: string }
  | { type: 'check-note'; check: string; endpoint: string; text: string }
  | { type: 'result'; result: ResultRecord }
  /** A chaos check starts a round: what it injects (fault specs, client timeouts, a store outage). */
  | { type: 'chaos-inject'; check: string; endpoint: string; round: string; faults: string[] }
  /** A chaos check's attempt ended: ok, fail (an error answer) or unknown (no answer: it may have executed). */
  | { type: 'chaos-attempt'; check: string; endpoint: string; key: string; attempt: number; outcome: 'ok' | 'fail' | 'unknown'; detail: string }
  /** The load check's periodic progress (about once a second): achieved vs target rate, sent, errors, time. */
  | { type: 'load-progress'; check: string; endpoint: string; progress: LoadProgress }
  | { type: 'run-end'; verdict: string };

export type RunListener = (event: RunEvent) => void;

/** A check's event as the run announces it: with the check and endpoint it belongs to. */
export function checkEventToRunEvent(e: CheckEvent, check: string, endpoint: string): RunEvent {
  switch (e.type) {
    case 'note':
      return { type: 'check-note', check, endpoint, text: e.text };
    case 'load-progress':
      return { type: 'load-progress', check, endpoint, progress: e.progress };
    case 'inject':
      return { type: 'chaos-inject', check, endpoint, round: e.round, faults: e.faults };
    case 'attempt':
      return { type: 'chaos-attempt', check, endpoint, key: e.key, attempt: e.attempt, outcome: e.outcome, detail: e.detail };
  }
}
