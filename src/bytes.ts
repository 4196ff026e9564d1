// Joining byte chunks, for the places that gather a stream's pieces (a header, a whole small file).

/** The chunks one after another; where only one holds bytes, that one itself (no copy of a large chunk). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const filled = chunks.filter((chunk) => chunk.byteLength > 0);
  if (filled.length === 1) return filled[0];
  const out = new Uint8Array(filled.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of filled) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
