// An opened weights file as a platform hands it to the classifier: the bytes, and what to do once
// they were read (a browser's Cache API copy hooks in here).

export interface OpenedWeights {
  stream: ReadableStream<Uint8Array>;
  /** Size when known (Content-Length, file size). */
  totalBytes: number | null;
  /** "xxh32-<hex>" a cached copy was stored with: checked while it streams. */
  checksum?: string;
  /** The caller's integrity was already verified on exactly these bytes (a cached copy's record says so). */
  integrityVerified?: boolean;
  /**
   * After the whole file was read and verified; resolves true once a copy was stored for offline use.
   * `firstAnswer` resolves when the classifier has answered its first call (or was disposed): work
   * that can wait, like writing the copy, starts then, so it does not slow the first result.
   */
  commit?(firstAnswer: Promise<void>): Promise<boolean>;
  /** After reading failed; true when the source was dropped (a bad cached copy) and opening again may work. */
  abandon?(error: unknown): Promise<boolean>;
}
