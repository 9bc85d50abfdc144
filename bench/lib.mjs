// Shared helpers of the benchmarks: statistics, machine description, load average, a bounded
// CPU hog, and a dependency-free SVG histogram writer.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';

/** Quantile by nearest rank on a sorted copy (q in [0, 1]). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** median, p90, p99, max, mean and threshold counts of a list of numbers (microseconds). */
export function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return {
    n: s.length,
    min: s[0],
    median: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
    max: s[s.length - 1],
    mean,
    over200: s.filter((v) => v > 200).length,
    over1000: s.filter((v) => v > 1000).length,
  };
}

export function machine() {
  let model = '';
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  } catch {
    /* not Linux */
  }
  return { nproc: availableParallelism(), kernel: release(), cpu: model.trim(), node: process.version };
}

/** "1.23 0.98 0.50" (1, 5, 15 minutes). */
/**
 * CPU time the hypervisor gave to others while our vCPUs wanted to run (all CPUs, ms): the
 * `steal` column of /proc/stat, in USER_HZ ticks (10 ms). A VM's own timing cannot be better
 * than what the host lets it have; this shows how much it took during a measurement.
 */
export function stealMs() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  return Number(cpu[8] ?? 0) * 10;
}

export function load() {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/**
 * Starts `n` processes that each spin on a core for at most `seconds` (they exit by themselves
 * even if we die), and returns a function that stops exactly those processes.
 */
export function startHog(n = 1, seconds = 120) {
  const kids = [];
  for (let i = 0; i < n; i++) {
    const code = `const end = Date.now() + ${Math.round(seconds * 1000)}; let x = 0; while (Date.now() < end) x++;`;
    kids.push(spawn(process.execPath, ['-e', code], { stdio: 'ignore' }));
  }
  return async () => {
    await Promise.all(
      kids.map(
        (k) =>
          new Promise((resolve) => {
            if (k.exitCode !== null || k.signalCode !== null) return resolve();
            k.once('exit', resolve);
            k.kill('SIGKILL');
          }),
      ),
    );
  };
}

export const fmtUs = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v.toFixed(1)} µs`) : '–');

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A histogram of several series over fixed error bins (µs), as a standalone SVG document.
 * series: [{ label, color, values }]. Bin i holds (edges[i-1], edges[i]]; the first bin holds
 * everything <= edges[0] (negative errors included), the last everything > the last edge. The
 * y axis is the share of each series' samples, so series of different sizes compare. Markers
 * ({ at, label, color }) are drawn at the bin boundary equal to `at`.
 */
export function histogramSvg({ title, subtitle = '', series, edges = [5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000, 10000], markers = [], xlabel = '' }) {
  const nb = edges.length + 1;
  const bins = series.map((s) => {
    const counts = new Array(nb).fill(0);
    for (const v of s.values) {
      let i = 0;
      while (i < edges.length && v > edges[i]) i++;
      counts[i]++;
    }
    return counts.map((c) => c / Math.max(1, s.values.length));
  });
  const W = 1000, H = 450 + 18 * series.length, L = 70, R = 20, T = 70, B = 70 + 18 * series.length;
  const pw = W - L - R, ph = H - T - B;
  const ymax = Math.max(0.05, ...bins.flat());
  const ytop = Math.ceil(ymax * 10) / 10;
  const slot = pw / nb;
  const bw = (slot * 0.84) / series.length;
  const u = (us) => (us >= 1000 ? `${us / 1000} ms` : `${us}`);
  const binLabel = (i) => (i === nb - 1 ? `>${u(edges[i - 1])}` : `≤${u(edges[i])}`);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`);
  if (subtitle) out.push(`<text x="${W / 2}" y="44" text-anchor="middle" font-size="12" fill="#444">${esc(subtitle)}</text>`);
  for (let k = 0; k <= 5; k++) {
    const v = (ytop * k) / 5;
    const y = T + ph - (v / ytop) * ph;
    out.push(`<line x1="${L}" y1="${y.toFixed(1)}" x2="${W - R}" y2="${y.toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${Math.round(v * 100)}%</text>`);
  }
  bins.forEach((counts, si) => {
    counts.forEach((f, i) => {
      if (f <= 0) return;
      const h = Math.max(0.5, (f / ytop) * ph);
      const x = L + i * slot + slot * 0.08 + si * bw;
      out.push(`<rect x="${x.toFixed(1)}" y="${(T + ph - h).toFixed(1)}" width="${Math.max(1, bw - 0.5).toFixed(1)}" height="${h.toFixed(1)}" fill="${series[si].color}"><title>${esc(series[si].label)}, ${binLabel(i)} µs: ${(f * 100).toFixed(1)}%</title></rect>`);
    });
  });
  for (let i = 0; i < nb; i++) {
    const x = L + i * slot + slot / 2;
    out.push(`<text x="${x.toFixed(1)}" y="${T + ph + 16}" text-anchor="middle" font-size="10.5">${esc(binLabel(i))}</text>`);
  }
  for (const m of markers) {
    const k = edges.indexOf(m.at);
    if (k < 0) continue;
    const x = L + (k + 1) * slot;
    out.push(`<line x1="${x.toFixed(1)}" y1="${T - 6}" x2="${x.toFixed(1)}" y2="${T + ph}" stroke="${m.color ?? '#c00'}" stroke-dasharray="5,4"/>`);
    out.push(`<text x="${(x + 4).toFixed(1)}" y="${T + 6}" fill="${m.color ?? '#c00'}">${esc(m.label)}</text>`);
  }
  out.push(`<line x1="${L}" y1="${T + ph}" x2="${W - R}" y2="${T + ph}" stroke="#333"/>`);
  out.push(`<line x1="${L}" y1="${T}" x2="${L}" y2="${T + ph}" stroke="#333"/>`);
  out.push(`<text x="${L + pw / 2}" y="${T + ph + 38}" text-anchor="middle">${esc(xlabel || 'error bin, by upper edge (µs unless marked ms)')}</text>`);
  out.push(`<text transform="translate(16 ${T + ph / 2}) rotate(-90)" text-anchor="middle">share of injections</text>`);
  series.forEach((s, si) => {
    const y = T + ph + 56 + si * 18;
    out.push(`<rect x="${L + 10}" y="${y}" width="14" height="12" fill="${s.color}"/>`);
    out.push(`<text x="${L + 30}" y="${y + 10}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
