// A submit that was sent but not answered (a timeout, a dropped connection, a gateway's 504): the
// proxy may have taken the job. It is never sent again (that could run, and cost, twice); it is
// looked for instead.
import { ProxyError } from './errors.ts';
import { routes } from './routes.ts';
import { sleep, type CallOptions } from './transport.ts';
import type { SubmitOutcome, SubmitResult, Task } from './types.ts';

/** What the search needs of the client: GET /mj/task/list, where the backend has it. */
export interface TaskFinder {
  readonly canFindByState: boolean;
  findTaskByState(state: string, o?: CallOptions): Promise<Task | null>;
}

/**
 * A modal submit names its task, which is followed (it shows whether it runs or still waits for
 * input); any other job is looked for by the unique `state` it was sent with, where the backend can
 * list its tasks, once and again after each of `delaysMs`. Otherwise POSSIBLY_TAKEN, saying whether
 * a search was possible.
 */
export async function recoverSubmit(finder: TaskFinder, route: string, body: object, o: CallOptions | undefined, cause: ProxyError, delaysMs: number[]): Promise<SubmitOutcome> {
  const { taskId, state } = body as { taskId?: unknown; state?: unknown };
  if (route === routes.modal() && typeof taskId === 'string' && taskId) return followedOutcome(taskId, 'accepted', null);
  let searched = false;
  if (typeof state === 'string' && state) {
    for (const delay of [0, ...delaysMs]) {
      if (!finder.canFindByState) break;
      if (delay) await sleep(delay);
      try {
        const task = await finder.findTaskByState(state, { mode: o?.mode });
        searched = true;
        if (task) return followedOutcome(task.id, task.status === 'MODAL' ? 'modal' : 'accepted', task.properties.finalPrompt ?? null);
      } catch (err) {
        if (!(err instanceof ProxyError)) throw err;
      }
    }
  }
  throw new ProxyError(
    'POSSIBLY_TAKEN',
    { route, status: cause.context.status, searchable: searched || (finder.canFindByState && typeof state === 'string' && !!state) },
    { cause: { name: cause.name, code: cause.code } },
  );
}

/** The outcome of a submit whose answer was lost but whose task is known. */
function followedOutcome(taskId: string, kind: 'accepted' | 'modal', finalPrompt: string | null): SubmitOutcome {
  const raw: SubmitResult = { code: kind === 'modal' ? 21 : 1, description: '', result: taskId, properties: {} };
  return kind === 'modal' ? { kind, taskId, taskIds: [taskId], finalPrompt, raw } : { kind, taskId, taskIds: [taskId], raw };
}
