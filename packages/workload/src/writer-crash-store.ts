import { type Clock, type ObjectStore, ObjectStoreDecorator, ProcessCrashedError, type Random, type StoreRequest } from '@manifest-lab/manifest-core';

/** A segment object's key (`<prefix>/segments/seg-<seq>.json`), whatever the prefix. */
const SEGMENT_KEY = /(^|\/)segments\/seg-\d+\.[a-z]+$/;

/**
 * One writer process that may die between its segment PUT and its HEAD CAS
 * (`writer_crash_prob`): after each segment PUT that took effect it dies with probability `p`,
 * leaving that segment as an orphan for a later `recoverOrphans` to adopt once the process's
 * lease expires. A dead process sends nothing more; the client restarts at once as a new
 * process with a new store (the workload's `ProcessCrashedError` path, as for a chaos crash).
 */
export class WriterCrashStore extends ObjectStoreDecorator {
  #dead = false;

  constructor(
    inner: ObjectStore,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly p: number,
  ) {
    super(inner);
  }

  protected override async around<T>(request: StoreRequest, op: () => Promise<T>): Promise<T> {
    if (this.#dead) throw this.#crashed(request);
    const result = await op();
    if ((request.kind === 'CPUT' || request.kind === 'PUT') && SEGMENT_KEY.test(request.key) && this.random.next() < this.p) {
      this.#dead = true;
      throw this.#crashed(request);
    }
    return result;
  }

  #crashed(request: StoreRequest): ProcessCrashedError {
    return new ProcessCrashedError(`${request.kind} ${request.key}: the writer process died after its segment PUT (writer_crash_prob)`, this.clock.now());
  }
}
