// The HTML page shell shared by the estate reports: self-contained, no script, every string escaped.
import { html } from '../../report/escape.js';

const CSS = `
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--soft:#f9fafb;--ok:#15803d;--bad:#b91c1c;--warn:#b45309}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--fg)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:14px 0 6px}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}th{background:var(--soft)}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:var(--ok);font-weight:600}.bad{color:var(--bad);font-weight:600}.warn{color:var(--warn);font-weight:600}
.meta{color:var(--muted);margin:4px 0 16px}.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:110px}.card b{display:block;font-size:22px}
svg text{font:11px system-ui,sans-serif;fill:var(--fg)}
`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${html(title)}</title><style>${CSS}</style></head>
<body>
${body}
</body></html>
`;
}

export const yesNo = (ok: boolean, yes = 'yes', no = 'no'): string => (ok ? `<span class="ok">${html(yes)}</span>` : `<span class="bad">${html(no)}</span>`);

export function list(items: string[], empty: string): string {
  return items.length === 0 ? `<p class="ok">${html(empty)}</p>` : `<ul>${items.map((i) => `<li><code>${html(i)}</code></li>`).join('')}</ul>`;
}
