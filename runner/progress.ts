// The progress line on a terminal: `[12/40] 30% · 2 failed · ETA 1m20s · 2 running, slowest
// mp_join/x.pkt ipv6 14.0s`, redrawn in place with `\r` and erased when done. In CI or when the
// stream is not a terminal it is a no-op, so the output stays plain TAP.
import { isFailing } from '../src/report/suites.js';
import { formatDuration } from '../src/report/summary.js';
import type { Verdict } from '../src/report/result.js';

/** The part of a tty.WriteStream the progress line uses. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface ProgressOptions {
  /** Environment (default `process.env`): `CI` set to anything but '', '0' or 'false', or `TERM=dumb`, disables. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Parallelism (`-j`), for the ETA. Default 1. */
  jobs?: number;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
  /** Redraw every this many ms so running times advance; 0 for never. Default 1000. */
  tickMs?: number;
}

/** A run handle returned by `start()`. */
export type RunHandle = number;

export interface Progress {
  /** False for the no-op. */
  readonly enabled: boolean;
  /** A run started (`name`: e.g. `mp_capable/client.pkt ipv6`). */
  start(name: string): RunHandle;
  /** That run ended; `durationMs` defaults to the time since its `start()`. */
  end(run: RunHandle, result: { verdict: Verdict; durationMs?: number }): void;
  /** Erases the line (call before printing anything else on the terminal; the next event redraws it). */
  clear(): void;
  /** Redraws the line now. */
  render(): void;
  /** The current line's text (without control characters); '' for the no-op. */
  text(): string;
  /** Erases the line and stops redrawing. */
  finish(): void;
}

const CLEAR = '\r\x1b[K';

const noop: Progress = {
  enabled: false,
  start: () => 0,
  end: () => {},
  clear: () => {},
  render: () => {},
  text: () => '',
  finish: () => {},
};

/** Is `env` a CI environment (`CI` set and not '', '0' or 'false')? */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env.CI;
  return ci !== undefined && !['', '0', 'false'].includes(ci.trim().toLowerCase());
}

/** A progress line on `stream` for `total` runs; a no-op unless `stream` is a TTY outside CI. */
export function createProgress(stream: ProgressStream, total: number, opts: ProgressOptions = {}): Progress {
  const env = opts.env ?? process.env;
  if (stream.isTTY !== true || isCi(env) || env.TERM === 'dumb') return noop;
  const now = opts.now ?? Date.now;
  const jobs = Math.max(1, Math.floor(opts.jobs ?? 1));
  const running = new Map<RunHandle, { name: string; start: number }>();
  let next = 1;
  let done = 0;
  let failed = 0;
  let sumMs = 0;
  let shown = false;
  let finished = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  const text = (): string => {
    const t = now();
    const width = String(total).length;
    const parts = [`[${String(done).padStart(width)}/${total}] ${total ? Math.floor((done * 100) / total) : 100}%`];
    parts.push(`${failed} failed`);
    if (done > 0 && done < total) {
      const mean = sumMs / done;
      let work = Math.max(0, total - done - running.size) * mean;
      for (const r of running.values()) work += Math.max(0, mean - (t - r.start));
      parts.push(`ETA ${formatDuration(work / Math.min(jobs, total - done))}`);
    } else if (done < total) {
      parts.push('ETA --');
    }
    if (running.size) {
      let slow: { name: string; start: number } | undefined;
      for (const r of running.values()) if (!slow || r.start < slow.start) slow = r;
      parts.push(`${running.size} running, slowest ${slow!.name} ${formatDuration(t - slow!.start)}`);
    }
    let line = parts.join(' · ');
    const cols = stream.columns ?? 80;
    // Never reach the last column: a full line would wrap and `\r` could not redraw it.
    if (line.length > cols - 1) line = cols > 2 ? `${line.slice(0, cols - 2)}…` : '';
    return line;
  };

  const render = () => {
    if (finished) return;
    stream.write(`${CLEAR}${text()}`);
    shown = true;
  };

  return {
    enabled: true,
    start(name) {
      const h = next++;
      running.set(h, { name, start: now() });
      if (!timer && (opts.tickMs ?? 1000) > 0 && !finished) {
        timer = setInterval(render, opts.tickMs ?? 1000);
        timer.unref?.();
      }
      render();
      return h;
    },
    end(h, result) {
      const r = running.get(h);
      running.delete(h);
      done++;
      sumMs += result.durationMs ?? (r ? now() - r.start : 0);
      if (isFailing(result.verdict)) failed++;
      render();
    },
    clear() {
      if (shown && !finished) stream.write(CLEAR);
      shown = false;
    },
    render,
    text,
    finish() {
      if (finished) return;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (shown) stream.write(CLEAR);
      shown = false;
      finished = true;
    },
  };
}
