// Which runtime runs us, for the few places it matters: Node starts worker_threads (browsers Workers) and hashes with OpenSSL.

/** Node.js (also where a library put a `Worker` global in place: Node's own worker_threads are what work). */
export function runsOnNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}
