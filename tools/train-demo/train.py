#!/usr/bin/python3
"""Trains alexnet-web's bundled demo model: an AlexNet-layout network at quarter width on Fashion-MNIST.

Run with Debian's interpreter (it has python3-torch; another python3 on PATH may not). Install
libopenblas0-pthread first: with only the reference BLAS the fully connected layers train 3x slower.
    /usr/bin/python3 tools/train-demo/train.py --out build/demo
Writes model.onnx (native LRN nodes), metrics.json and checkpoint.pt into --out; then
`alexnet-web convert` turns the ONNX file into the shipped int8 safetensors (see models/README.md).
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = '/usr/share/datasets/fashion-mnist'
LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
INPUT = 227
# Mean and std of Fashion-MNIST training pixels scaled to [0, 1]; the same numbers go into the metadata.
MEAN, STD = 0.2860, 0.3530


def read_idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape).copy())


class LRNExport(torch.autograd.Function):
    """Exports nn.LocalResponseNorm as one ONNX LRN node instead of ~150 small ones."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        return F.local_response_norm(x, size, alpha, beta, k)

    @staticmethod
    def symbolic(g, x, size, alpha, beta, k):
        return g.op('LRN', x, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=k)


class LRN(nn.LocalResponseNorm):
    exporting = False

    def forward(self, x):
        if LRN.exporting:
            return LRNExport.apply(x, self.size, self.alpha, self.beta, self.k)
        return super().forward(x)


class AlexNetMini(nn.Module):
    """The paper's layer sequence and geometry (227 input, 11x11/4, LRN, 3x3/2 pools, groups 2) at reduced width."""

    def __init__(self, widths=(24, 64, 96, 96, 64), hidden=1024, classes=10):
        super().__init__()
        c1, c2, c3, c4, c5 = widths
        self.features = nn.Sequential(
            nn.Conv2d(3, c1, 11, stride=4), nn.ReLU(inplace=True), LRN(5, 1e-4, 0.75, 1.0), nn.MaxPool2d(3, 2),
            nn.Conv2d(c1, c2, 5, padding=2, groups=2), nn.ReLU(inplace=True), LRN(5, 1e-4, 0.75, 1.0), nn.MaxPool2d(3, 2),
            nn.Conv2d(c2, c3, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c3, c4, 3, padding=1, groups=2), nn.ReLU(inplace=True),
            nn.Conv2d(c4, c5, 3, padding=1, groups=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.5), nn.Linear(c5 * 6 * 6, hidden), nn.ReLU(inplace=True),
            nn.Dropout(0.5), nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, classes),
        )

        # He initialization: PyTorch's default shrinks the signal through eight layers and the
        # network without batch norm then does not start learning.
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
                nn.init.zeros_(m.bias)
        nn.init.normal_(self.classifier[-1].weight, std=0.01)

    def forward(self, x):
        return self.classifier(self.features(x))


def to_input(images):
    """uint8 [B, 28, 28] -> normalized [B, 3, 227, 227]: scale to [0, 1], bilinear resize, repeat gray."""
    x = images.float().unsqueeze(1) / 255.0
    x = F.interpolate(x, size=(INPUT, INPUT), mode='bilinear', align_corners=False)
    return ((x - MEAN) / STD).expand(-1, 3, -1, -1)


def augment(images, generator):
    """Random shifts of up to 2 pixels (pad + crop) and horizontal flips: clothes stay clothes."""
    b = images.shape[0]
    padded = F.pad(images, (2, 2, 2, 2))
    rows = torch.randint(0, 5, (b, 1), generator=generator) + torch.arange(28)
    columns = torch.randint(0, 5, (b, 1), generator=generator) + torch.arange(28)
    flip = torch.rand(b, 1, generator=generator) < 0.5
    columns = torch.where(flip, columns.flip(-1), columns)
    return padded[torch.arange(b)[:, None, None], rows[:, :, None], columns[:, None, :]]


def evaluate(model, images, labels, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), batch):
            correct += (model(to_input(images[i:i + batch])).argmax(1) == labels[i:i + batch]).sum().item()
    return correct / len(images)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--out', default='build/demo')
    parser.add_argument('--epochs', type=int, default=5)
    parser.add_argument('--batch', type=int, default=128)
    parser.add_argument('--lr', type=float, default=6e-4)
    parser.add_argument('--seed', type=int, default=2012)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--resume', help='checkpoint.pt of an earlier stage: train on from it with a fresh one-cycle schedule')
    parser.add_argument('--ema', type=float, default=0.0, help='decay of an exponential moving average of the weights; 0 = off')
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(args.seed)

    train_x, train_y = read_idx('train-images-idx3-ubyte.gz'), read_idx('train-labels-idx1-ubyte.gz').long()
    test_x, test_y = read_idx('t10k-images-idx3-ubyte.gz'), read_idx('t10k-labels-idx1-ubyte.gz').long()
    model = AlexNetMini()
    earlier = []
    if args.resume:
        model.load_state_dict(torch.load(args.resume))
        with open(os.path.join(os.path.dirname(args.resume), 'metrics.json')) as f:
            earlier = json.load(f)['history']
    # AdamW: SGD with momentum barely moves this batch-norm-free network in the first epochs.
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    steps = args.epochs * (len(train_x) // args.batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    # The average of the weights along the last steps generalizes better than the last step alone.
    average = [p.detach().clone() for p in model.parameters()] if args.ema else None
    history = []
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_x), generator=generator)
        started, seen, loss_sum = time.time(), 0, 0.0
        for i in range(0, len(order) - args.batch + 1, args.batch):
            index = order[i:i + args.batch]
            x = to_input(augment(train_x[index], generator))
            loss = F.cross_entropy(model(x), train_y[index], label_smoothing=0.1)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            if average:
                with torch.no_grad():
                    for a, p in zip(average, model.parameters()):
                        a.mul_(args.ema).add_(p, alpha=1 - args.ema)
            seen += len(index)
            loss_sum += loss.item() * len(index)
            if (i // args.batch) % 50 == 0:
                print(f'epoch {epoch + 1} {seen}/{len(order)} loss {loss_sum / seen:.4f} {seen / (time.time() - started):.0f} img/s', flush=True)
        entry = {'epoch': len(earlier) + epoch + 1, 'lr': args.lr, 'loss': loss_sum / seen, 'seconds': time.time() - started}
        if average:
            entry['test_accuracy_last_step'] = evaluate(model, test_x, test_y)
            last_step = {k: v.clone() for k, v in model.state_dict().items()}
            with torch.no_grad():
                for a, p in zip(average, model.parameters()):
                    p.copy_(a)
            entry['ema'] = args.ema
        entry['test_accuracy'] = evaluate(model, test_x, test_y)
        history.append(entry)
        print(f'epoch {entry["epoch"]}: ' + ', '.join(f'{k} {v:.4f}' for k, v in entry.items() if k.startswith('test')), flush=True)
        torch.save(model.state_dict(), os.path.join(args.out, 'checkpoint.pt'))
        if average and epoch + 1 < args.epochs:
            # Train on from the last step, not from the average.
            model.load_state_dict(last_step)

    model.eval()
    LRN.exporting = True
    torch.onnx.export(model, torch.zeros(1, 3, INPUT, INPUT), os.path.join(args.out, 'model.onnx'),
                      input_names=['image'], output_names=['logits'], opset_version=13)
    metrics = {
        'float_test_accuracy': history[-1]['test_accuracy'], 'history': earlier + history, 'labels': LABELS,
        'mean': MEAN, 'std': STD, 'seed': args.seed, 'epochs': len(earlier) + args.epochs, 'batch': args.batch, 'lr': args.lr,
        'parameters': sum(p.numel() for p in model.parameters()), 'torch': torch.__version__,
    }
    with open(os.path.join(args.out, 'metrics.json'), 'w') as f:
        json.dump(metrics, f, indent=2)
    print(json.dumps({k: v for k, v in metrics.items() if k != 'history'}))


if __name__ == '__main__':
    main()
