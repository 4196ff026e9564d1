// When the Cache API copy of a downloaded weights file is written, decided once: at the classifier's
// first answer, or WRITE_AFTER_MS after the download began if that comes first, or at once when the
// queue of chunks waiting for it is full or a caller asks (whenCached); never once loading failed.

/**
 * On a fast link the Cache API would share the CPU with the download and the first inference (on 2
 * cores it made the first result of a 61 MB model 10-15% later); a download still running after a
 * second is slow enough to leave the CPU time, and writing along keeps memory low.
 */
export const WRITE_AFTER_MS = 1000;

export class CacheWriteDecision {
  /** Resolves true when the copy is to be written now, false when it never will be. */
  readonly decided: Promise<boolean>;
  private settle!: (write: boolean) => void;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(writeAfterMs = WRITE_AFTER_MS) {
    this.decided = new Promise<boolean>((resolve) => (this.settle = resolve));
    this.timer = setTimeout(() => this.write(), writeAfterMs);
  }

  /** Write now: the first answer came, the queue is full or a caller asked. No effect once decided. */
  write(): void {
    clearTimeout(this.timer);
    this.settle(true);
  }

  /** Loading failed: never write. No effect once decided. */
  drop(): void {
    clearTimeout(this.timer);
    this.settle(false);
  }
}
