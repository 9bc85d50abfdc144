// The matrix as one static HTML page (no scripts, no external resources): coverage bars per
// section, the requirements no script covers, then every requirement with its scripts and
// verdicts per kernel, then the untestable ones.
import type { Verdict } from '../report/result.js';
import { orderedRows, percent, type Matrix, type Totals } from './matrix.js';
import type { ScriptVerdict } from './results.js';

export interface HtmlOptions {
  requirementsFile: string;
  /** The command that regenerates the page, shown in its footer. */
  command: string;
  /** Makes a script path into a link target (relative to the page), or undefined for no link. */
  scriptHref?: (script: string) => string | undefined;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:76em;padding:0 1em;color:#1b1f24}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3em .5em;border-bottom:1px solid #eaeef2}
th{background:#f6f8fa;position:sticky;top:0}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}td:first-child code{white-space:nowrap}
.muted{color:#57606a}.lvl{font-weight:600;font-size:12px}.MUST{color:#cf222e}.SHOULD{color:#9a6700}.MAY{color:#0969da}
.v{display:inline-block;min-width:4.5em;text-align:center;border-radius:3px;font-size:12px;padding:0 .4em}
.pass{background:#dafbe1;color:#116329}.fail,.error,.timeout{background:#ffebe9;color:#a40e26}.flaky{background:#fff8c5;color:#7d4e00}
.skip{background:#eaeef2;color:#57606a}.none{background:#fff;color:#8c959f;border:1px dashed #d0d7de}
.bar{background:#eaeef2;height:.9em;width:14em;border-radius:2px;display:inline-block;vertical-align:middle;position:relative}
.bar span{position:absolute;left:0;top:0;bottom:0;background:#2da44e;border-radius:2px}.bar span.must{background:#8250df}
.gap{background:#fff8c5}ul.scripts{margin:0;padding-left:1.1em}
`;

function verdictBadge(v: Verdict | undefined, label?: string): string {
  return `<span class="v ${v ?? 'none'}">${esc(label ?? v ?? 'not run')}</span>`;
}

function scriptVerdict(v: ScriptVerdict | undefined): string {
  if (!v) return verdictBadge(undefined);
  const title = Object.entries(v.variants).map(([k, x]) => `${k}: ${x}`).join(', ');
  return `<span title="${esc(title)}">${verdictBadge(v.verdict)}</span>`;
}

function bar(n: number, of: number, cls = ''): string {
  const w = of === 0 ? 0 : (100 * n) / of;
  return `<span class="bar" title="${n}/${of}"><span class="${cls}" style="width:${w.toFixed(1)}%"></span></span>`;
}

export function formatMatrixHtml(m: Matrix, opts: HtmlOptions): string {
  const k = m.kernels;
  const rows = orderedRows(m);
  const uncovered = rows.filter((r) => r.scripts.length === 0);
  const t = m.totals;
  const link = (s: string) => {
    const href = opts.scriptHref?.(s);
    return href ? `<a href="${esc(href)}"><code>${esc(s)}</code></a>` : `<code>${esc(s)}</code>`;
  };
  const totalsRow = (name: string, s: Totals) =>
    `<tr><td>${esc(name)}</td><td>${s.requirements}</td><td>${bar(s.covered, s.requirements)} ${s.covered} (${percent(s.covered, s.requirements)})</td>` +
    `<td>${bar(s.mustCovered, s.must, 'must')} ${s.mustCovered}/${s.must} (${percent(s.mustCovered, s.must)})</td>` +
    s.passing.map((p) => `<td>${p}/${s.covered}</td>`).join('') +
    '</tr>';

  const html: string[] = [];
  html.push('<!doctype html>', '<html lang="en"><head><meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  html.push(`<title>RFC 8684 conformance matrix</title><style>${CSS}</style></head><body>`);
  html.push(`<h1>RFC 8684 conformance matrix</h1><p class="muted">${esc(m.title)}. Requirements from <code>${esc(opts.requirementsFile)}</code>; kernels: ${k.length ? k.map((x) => `<code>${esc(x)}</code>`).join(', ') : 'none (coverage only)'}.</p>`);
  html.push(`<p><b>${t.covered}/${t.requirements}</b> testable requirements covered (${percent(t.covered, t.requirements)}); MUST: <b>${t.mustCovered}/${t.must}</b> (${percent(t.mustCovered, t.must)}); ${m.untestable.length} judged untestable over TUN.</p>`);

  html.push('<h2 id="sections">Per section</h2><table><thead><tr><th>section</th><th>requirements</th><th>covered</th><th>MUST covered</th>');
  html.push(k.map((x) => `<th>passing on ${esc(x)}</th>`).join('') + '</tr></thead><tbody>');
  for (const s of m.sections) html.push(totalsRow(s.section, s));
  html.push(totalsRow('total', t), '</tbody></table>');

  html.push(`<h2 id="uncovered">Not covered by any script (${uncovered.length})</h2>`);
  if (uncovered.length === 0) html.push('<p>None.</p>');
  else {
    html.push('<table><thead><tr><th>id</th><th>level</th><th>side</th><th>requirement</th><th>why not covered</th></tr></thead><tbody>');
    for (const r of uncovered)
      html.push(`<tr class="gap"><td><code id="${esc(r.req.id)}">${esc(r.req.id)}</code></td><td class="lvl ${r.req.level}">${r.req.level}</td><td>${r.req.side}</td><td>${esc(r.req.text)}</td><td>${esc(r.req.gap ?? 'no reason given')}</td></tr>`);
    html.push('</tbody></table>');
  }

  html.push('<h2 id="matrix">Requirements, scripts and verdicts</h2><table><thead><tr><th>id</th><th>§</th><th>level</th><th>side</th><th>requirement</th>');
  html.push(k.map((x) => `<th>${esc(x)}</th>`).join('') + '<th>scripts</th></tr></thead><tbody>');
  for (const r of rows) {
    const scripts = r.scripts.length
      ? `<ul class="scripts">${r.scripts.map((s) => `<li>${link(s.script)}${k.length ? ' ' + s.verdicts.map(scriptVerdict).join(' ') : ''}</li>`).join('')}</ul>`
      : '<span class="muted">none</span>';
    const verdicts = r.verdicts.map((v) => `<td>${r.scripts.length ? verdictBadge(v) : verdictBadge(undefined, '-')}</td>`).join('');
    html.push(`<tr${r.scripts.length ? '' : ' class="gap"'}><td><code>${esc(r.req.id)}</code></td><td>${esc(r.req.section)}</td><td class="lvl ${r.req.level}">${r.req.level}</td><td>${r.req.side}</td><td>${esc(r.req.text)}</td>${verdicts}<td>${scripts}</td></tr>`);
  }
  html.push('</tbody></table>');

  html.push(`<h2 id="untestable">Untestable over TUN (${m.untestable.length})</h2><table><thead><tr><th>id</th><th>level</th><th>requirement</th><th>why</th></tr></thead><tbody>`);
  for (const u of m.untestable) html.push(`<tr><td><code>${esc(u.id)}</code></td><td class="lvl ${u.level}">${u.level}</td><td>${esc(u.text)}</td><td>${esc(u.reason)}</td></tr>`);
  html.push('</tbody></table>');
  html.push(`<p class="muted">Generated by <code>${esc(opts.command)}</code>.</p></body></html>`);
  return html.join('\n') + '\n';
}
