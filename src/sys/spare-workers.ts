import { Worker } from 'node:worker_threads';

/**
 * Worker threads started before a run needs them. Loading koffi in a new thread costs about
 * 50 ms; a run process that waits for its job starts its threads first, so that time is not
 * spent on the job's clock. Without a spare, takeWorker() starts the worker on the spot.
 *
 * Each thread entry calls announceLoaded() once its imports are done: koffi must not be loaded
 * by one thread while another calls into it (that crashed a run with napi_throw), so callers
 * wait for `loaded` before they use koffi.
 */
export interface StartedWorker {
  worker: Worker;
  loaded: Promise<void>;
}

/** The message a thread sends once its imports are done. Other listeners ignore it. */
export const LOADED = 'tsdrill:loaded';

const spares = new Map<string, StartedWorker>();

function start(url: URL): StartedWorker {
  // execArgv: [] so flags of the parent (e.g. --input-type) cannot break the worker's start.
  const worker = new Worker(url, { execArgv: [] });
  const loaded = new Promise<void>((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if (m !== LOADED) return;
      worker.off('message', onMessage);
      resolve();
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
  worker.unref();
  return { worker, loaded: whileWaiting(loaded) };
}

export function prestartWorker(url: URL): Promise<void> {
  let spare = spares.get(url.href);
  if (!spare) spares.set(url.href, (spare = start(url)));
  return spare.loaded;
}

/**
 * A started worker for `url` (the spare if there is one). Workers never keep the process
 * alive (an idle thread, or one blocked in a system call, must not): adding a 'message'
 * listener refs the worker again, so callers unref() it after adding theirs, and wrap what
 * they wait for from it in whileWaiting().
 */
export function takeWorker(url: URL): StartedWorker {
  const spare = spares.get(url.href);
  spares.delete(url.href);
  return spare ?? start(url);
}

/**
 * Gives a worker back after a run, idle and ready for the next one (the run process keeps its
 * threads from job to job). A second spare for the same entry is not kept.
 */
export function releaseWorker(url: URL, worker: Worker): void {
  worker.removeAllListeners('message');
  worker.unref();
  if (spares.has(url.href)) void worker.terminate();
  else spares.set(url.href, { worker, loaded: Promise.resolve() });
}

let dirtyReason: string | undefined;

/** Something of a run could not be cleaned up (e.g. a call still blocked in its thread). */
export function markProcessDirty(reason: string): void {
  dirtyReason ??= reason;
}

/** Why this process must not run another job, if it must not. */
export function processDirty(): string | undefined {
  return dirtyReason;
}

/** Keeps the process alive until `p` settles (an unref'd worker's answer would not). */
export function whileWaiting<T>(p: Promise<T>): Promise<T> {
  const alive = setInterval(() => undefined, 1 << 30);
  return p.finally(() => clearInterval(alive));
}
