// Native onnxruntime (onnxruntime-node's CPU build) for the bench, the peer to reach. It is a 288 MB
// package that CI does not need, so it is not a devDependency: the bench installs it on first use into
// build/peers (npm registry; ONNXRUNTIME_NODE_INSTALL=skip keeps its postinstall from fetching CUDA).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const PEERS = fileURLToPath(new URL('../build/peers/', import.meta.url));
const VERSION = '1.30';

export type NativeOrt = typeof import('onnxruntime-web');

/** onnxruntime-node, installed into build/peers when missing; undefined (with why) when it cannot be had. */
export function loadNativeOnnxruntime(): { ort?: NativeOrt; why?: string } {
  const require = createRequire(`${PEERS}package.json`);
  try {
    if (!existsSync(`${PEERS}node_modules/onnxruntime-node`)) {
      mkdirSync(PEERS, { recursive: true });
      writeFileSync(`${PEERS}package.json`, '{ "name": "alexnet-web-bench-peers", "private": true }\n');
      console.log(`installing onnxruntime-node@${VERSION} into build/peers (once)...`);
      execFileSync('npm', ['install', '--no-audit', '--no-fund', `onnxruntime-node@${VERSION}`], {
        cwd: PEERS, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
      });
    }
    // Its API is onnxruntime-common's, as onnxruntime-web's is.
    return { ort: require('onnxruntime-node') as NativeOrt };
  } catch (error) {
    return { why: `onnxruntime-node could not be installed or loaded (${(error as Error).message.split('\n')[0]})` };
  }
}
