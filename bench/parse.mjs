// Parser throughput over the external corpus, in script lines per second.
//
//   npm run build:parser && node bench/parse.mjs [--runs N] [--corpus DIR]
//
// Uses the generated peggy parser directly (grammar + AST building, without the semantic
// pass of src/parser/semantic.ts, which is a cheap walk over the AST). Warms the JIT up,
// then times N full passes over every *.pkt of the corpus and prints the median.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../src/parser/generated/parser.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const corpus = flag('--corpus', process.env.TSDRILL_CORPUS ?? '/work/shared/corpus');
const runs = Math.max(5, Number(flag('--runs', '15')));
const WARMUP = 20;

function scripts(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...scripts(p));
    else if (e.name.endsWith('.pkt')) out.push(p);
  }
  return out.sort();
}

const files = scripts(corpus);
if (files.length === 0) {
  console.error(`no *.pkt files under ${corpus}`);
  process.exit(1);
}
const texts = files.map((f) => readFileSync(f, 'utf8'));
// Lines as `wc -l` counts them, plus a last line without its newline.
const lines = texts.reduce((n, t) => n + (t.match(/\n/g)?.length ?? 0) + (t.length > 0 && !t.endsWith('\n') ? 1 : 0), 0);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
// The corpus runners' defines (FO cookies, ICMP code); they only change a few words.
const defines = { TFO_COOKIE: '3021b9d889017eeb', CODE: 'host_unreachable' };

function pass() {
  const t0 = process.hrtime.bigint();
  for (const t of texts) parse(t, { defines });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

for (let i = 0; i < WARMUP; i++) pass();
const times = Array.from({ length: runs }, pass).sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const rate = (n) => Math.round((n / median) * 1000);

console.log(`corpus: ${files.length} scripts, ${lines} lines, ${(bytes / 1024).toFixed(0)} KiB (${corpus})`);
console.log(`runs:   ${runs} timed passes after ${WARMUP} warm-up passes`);
console.log(`times:  min ${times[0].toFixed(1)} ms, median ${median.toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
console.log(`median: ${rate(lines).toLocaleString('en-US')} lines/s (${(bytes / 1024 / 1024 / (median / 1000)).toFixed(1)} MiB/s)`);
