// BENCH_HEAP_SAMPLE=<dir>: what a bot allocated while measured (sampled every 32 KB, collected objects
// included), written as <dir>/bot-<pid>.heapprofile; open it in Chrome's DevTools (Memory tab).
import type { Session } from 'node:inspector';

let session: Session | null = null;

export async function startHeapSample(): Promise<void> {
  if (!process.env.BENCH_HEAP_SAMPLE) return;
  const { Session } = await import('node:inspector');
  const s = (session = new Session());
  s.connect();
  await new Promise<void>((resolve, reject) =>
    s.post('HeapProfiler.startSampling', { samplingInterval: 32_768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object, (err) => (err ? reject(err) : resolve())),
  );
}

export async function stopHeapSample(): Promise<void> {
  const s = session;
  if (!s) return;
  const profile = await new Promise<unknown>((resolve, reject) => s.post('HeapProfiler.stopSampling', (err, r) => (err ? reject(err) : resolve(r.profile))));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${process.env.BENCH_HEAP_SAMPLE}/bot-${process.pid}.heapprofile`, JSON.stringify(profile));
  s.disconnect();
  session = null;
}
