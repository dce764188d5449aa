// One line of load progress for people: achieved vs target rate, requests, errors, time.
import type { LoadProgress } from './model.js';

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** "1998/s of 2000/s target · 11988 sent · 0 errors · 6.0s / 10.0s (4.0s left)" */
export function formatProgress(p: LoadProgress): string {
  const rate =
    p.targetRate !== undefined ? `${Math.round(p.achievedRate)}/s of ${Math.round(p.targetRate)}/s target` : `${Math.round(p.achievedRate)}/s (${p.executor})`;
  const left = Math.max(0, p.durationMs - p.elapsedMs);
  const dropped = `${p.dropped > 0 ? ` · ${p.dropped} dropped` : ''}${p.late > 0 ? ` · ${p.late} late` : ''}`;
  return `${rate} · ${p.sent} sent · ${p.errors} error${p.errors === 1 ? '' : 's'}${dropped} · ${secs(Math.min(p.elapsedMs, p.durationMs))} / ${secs(p.durationMs)} (${secs(left)} left)`;
}
