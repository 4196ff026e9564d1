// How finely each kernel call is cut for `threads` threads. Every output element is computed by one
// item in one fixed order whatever the cut (see assembly/), so the cut changes speed, never results.

/** Items a thread should find on average: enough that threads finishing early take over the rest. */
const ITEMS_PER_THREAD = 6;

/** Items a thread claims at a time: about ITEMS_PER_THREAD claims per thread, all at once for one thread. */
export function claimSize(items: number, threads: number): number {
  if (threads <= 1) return items;
  return Math.max(1, Math.floor(items / (threads * ITEMS_PER_THREAD)));
}

export interface MultiplyBlocks {
  /** Weight tiles (MR output channels each) per item. */
  mBlock: number;
  /** Panels (NR columns each) per item. */
  nBlock: number;
  items: number;
  /** Items a thread claims at a time where a thread may be asleep (else each claims its share: KernelCall.shares). */
  claim: number;
}

/**
 * Blocks of a multiply pass (assembly/conv2d.ts multiplyItems), whose claims run as one block
 * (locateRun): one item per group for one thread (the weights stream once per panel, as in a plain
 * blocked GEMM). For more, where each group has panels enough for claims of two or more, the items are
 * panels: every thread reads all the weights, which stay in its L2, and only its own panels; cutting
 * the weights too had both threads read every panel, across cores (conv1's int8 multiply at 2 threads:
 * 1.29 against 1.18 ms). Else the dimension with the larger blocks is halved until each thread has
 * ITEMS_PER_THREAD claims; where only the weights are cut, the items are weight tiles.
 */
export function multiplyBlocks(mTiles: number, nTiles: number, G: number, threads: number): MultiplyBlocks {
  if (threads <= 1) return { mBlock: mTiles, nBlock: nTiles, items: G, claim: G };
  const wanted = threads * ITEMS_PER_THREAD;
  const panelClaim = Math.floor((G * nTiles) / wanted);
  if (panelClaim >= 2) {
    // Items of one panel, so that shares come out even; of several where a huge input has thousands.
    const nBlock = Math.ceil(panelClaim / 8);
    return { mBlock: mTiles, nBlock, items: G * Math.ceil(nTiles / nBlock), claim: Math.floor(panelClaim / nBlock) };
  }
  let mSplits = 1;
  let nSplits = 1;
  while (G * mSplits * nSplits < wanted) {
    const mBlock = Math.ceil(mTiles / mSplits);
    const nBlock = Math.ceil(nTiles / nSplits);
    if (mBlock === 1 && nBlock === 1) break;
    if (mBlock >= nBlock) mSplits = Math.min(mTiles, mSplits * 2);
    else nSplits = Math.min(nTiles, nSplits * 2);
  }
  const mBlock = Math.ceil(mTiles / mSplits);
  if (nSplits === 1) return { mBlock: 1, nBlock: nTiles, items: G * mTiles, claim: mBlock };
  const nBlock = Math.ceil(nTiles / nSplits);
  return { mBlock, nBlock, items: G * Math.ceil(mTiles / mBlock) * Math.ceil(nTiles / nBlock), claim: 1 };
}
