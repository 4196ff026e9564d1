#!/usr/bin/env bash
# Reproduces models/fashion-alexnet-mini.safetensors and its card from scratch (about three and a half hours on 2 cores):
# trains in PyTorch, exports ONNX with native LRN, converts with our own CLI to int8, evaluates it with
# alexnet-web on the 10,000 test images, and regenerates the CI test sprite, the sample images and the card.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
for package in python3-torch dataset-fashion-mnist libopenblas0-pthread; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then apt-get update -qq && apt-get install -y -qq "${missing[@]}"; fi
npm ci --no-audit --no-fund
npm run build
# Three stages: 5 epochs from scratch, 5 more from that checkpoint with a second, gentler one-cycle
# schedule, then 4 more with a third one that keeps a moving average of the weights (what ships).
/usr/bin/python3 tools/train-demo/train.py --out build/demo-stage1 --epochs 5 --lr 6e-4
/usr/bin/python3 tools/train-demo/train.py --resume build/demo-stage1/checkpoint.pt --out build/demo-stage2 --epochs 5 --lr 3e-4
/usr/bin/python3 tools/train-demo/train.py --resume build/demo-stage2/checkpoint.pt --out build/demo --epochs 4 --lr 2e-4 --ema 0.998
node dist/cli.js convert build/demo/model.onnx -o models/fashion-alexnet-mini.safetensors --name fashion-alexnet-mini \
  --labels tools/train-demo/labels.txt --preprocess tools/train-demo/preprocess.json \
  --description "AlexNet layout at quarter width (24/64/96/96/64, fc 1024), trained on Fashion-MNIST by alexnet-web (tools/train-demo)"
npx tsx tools/train-demo/evaluate.ts models/fashion-alexnet-mini.safetensors
npx tsx tools/train-demo/model-card.ts build/demo/metrics.json
