// ❌ on a job under way: POST /mj/task/{id}/cancel on the backend that runs it (api.md §1.3: trueai
// has it, owner or admin, and marks the task FAILURE "取消任务"; novicezk, plus and new-api relays do
// not). A backend without the route is remembered like a button it refused, and the ❌ leaves its
// jobs' messages. Once the backend took the cancel the job ends at once: it no longer counts against
// its owner's running jobs and is no longer polled, whenever the backend's own state catches up.
import type { JobsContext } from '../context.ts';
import { ProxyError } from '../proxy/errors.ts';
import { CANCEL_HIDDEN } from '../render/task-view.ts';
import type { TaskRecord } from '../store/tasks.ts';
import { jobCall } from './job-call.ts';
import { rememberHidden } from './hidden.ts';

export async function cancelJob(ctx: JobsContext, record: TaskRecord): Promise<void> {
  try {
    await ctx.proxy.cancelTask(record.taskId, jobCall(record));
  } catch (err) {
    if (err instanceof ProxyError && err.code === 'UNSUPPORTED') {
      await rememberHidden(ctx, ctx.reader.backendOf(record), CANCEL_HIDDEN);
      await ctx.tracker.markPressed(record.taskId);
    }
    throw err;
  }
  await ctx.tracker.cancelled(record.taskId);
}
