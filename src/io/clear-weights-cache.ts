// The Cache API names of stored weights files and how to clear them: a small module of its own, so a
// page that only clears the cache does not load the cache's reader and checksums.

/** Bump when what is stored changes meaning. */
export const WEIGHTS_CACHE_NAME = 'alexnet-web-weights-v1';
export const RECORDS_CACHE_NAME = `${WEIGHTS_CACHE_NAME}-records`;

export function cacheAvailable(): boolean {
  return typeof caches !== 'undefined';
}

/** Deletes every cached weights file (or only the one at `url`). */
export async function clearWeightsCache(url?: string | URL): Promise<void> {
  if (!cacheAvailable()) return;
  if (url === undefined) {
    await Promise.all([caches.delete(WEIGHTS_CACHE_NAME), caches.delete(RECORDS_CACHE_NAME)]);
    return;
  }
  const href = String(url);
  const [files, records] = await Promise.all([caches.open(WEIGHTS_CACHE_NAME), caches.open(RECORDS_CACHE_NAME)]);
  await Promise.all([files.delete(href), records.delete(href)]);
}
