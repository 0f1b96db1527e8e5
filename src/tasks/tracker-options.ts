// What the tracker (tracker.ts) is built with.
import type { AppEvents } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { TaskRecord, TaskRepository } from '../store/tasks.ts';
import type { JobEvents } from './lifecycle.ts';
import type { TaskPublisher } from './publisher.ts';

export interface TrackerOptions {
  tasks: TaskRepository;
  /** Discord, as the tracker needs it (discord/poster.ts). */
  poster: TaskPublisher;
  logger: Logger;
  now: () => number;
  deadlineMs: number;
  editMinIntervalMs: number;
  applicationId: string;
  /** The lane a record's calls go to: its backend and speed (proxy/lanes.ts). */
  backendOf: (record: { mode?: string | null; backend?: string | null }) => string;
  /** Called when this process starts following a task (track; revive: `again`): the poller takes its lease. */
  onActive?: (record: TaskRecord, again: boolean) => void;
  /** Called with the number of records waiting in memory for a write the store refused. */
  onUnsaved?: (count: number) => void;
  /** Told when a job is first followed and when it ends (the metrics). */
  jobs?: JobEvents;
  /** Where the views' edits and the jobs no longer followed are reported (app.events). */
  events?: AppEvents;
}
