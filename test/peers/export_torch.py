#!/usr/bin/python3
"""Exports AlexNets with the real torch.onnx.export, for the converter tests.

usage: export_torch.py OUT.onnx torchvision|demo|zoo OPSET
torchvision: torchvision.models.alexnet(weights=None), seeded (no download).
demo: the bundled demo model's architecture (tools/train-demo/train.py) with native LRN nodes.
zoo: the demo architecture laid out like the model zoo's bvlcalexnet-12: 224 input, ceil-mode pools, softmax output.
"""
import os
import sys

import torch

out, variant, opset = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.manual_seed(opset)
if variant == 'torchvision':
    import torchvision
    model, size = torchvision.models.alexnet(weights=None), 224
else:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools', 'train-demo'))
    import train
    model, size = train.AlexNetMini(), 227
    train.LRN.exporting = True
    if variant == 'zoo':
        # 224 reaches fc6's 6x6 only with pools that round up.
        for layer in model.features:
            if isinstance(layer, torch.nn.MaxPool2d):
                layer.ceil_mode = True
        model, size = torch.nn.Sequential(model, torch.nn.Softmax(dim=1)), 224
model.eval()
torch.onnx.export(model, torch.zeros(1, 3, size, size), out, input_names=['input'], output_names=['logits'],
                  opset_version=opset, dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}})
