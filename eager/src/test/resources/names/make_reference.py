"""The parameter and buffer names PyTorch gives a model built by attribute assignment.

ModuleNamesTest builds the same model in Java with fields (auto-registered) and compares
namedParameters(), namedBuffers() and namedChildren() with this file. Run it with any
PyTorch (written with 1.13 from Debian's python3-torch; the names have not changed since):

    python3 make_reference.py > reference.txt
"""
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate = nn.Parameter(torch.zeros(8))
        self.fc = nn.Linear(8, 8)
        self.bn = nn.BatchNorm1d(8)

    def forward(self, x):
        return self.bn(self.fc(x)) * self.gate


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4)
        self.encoder = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8))
        self.scale = nn.Parameter(torch.ones(8))
        self.block = Block()
        self.head = nn.Linear(8, 3)
        self.norm = nn.LayerNorm(3)
        self.shared = self.head  # the same module under a second name: its parameters count once

    def forward(self, idx):
        h = self.encoder(self.embed(idx)) * self.scale
        return self.norm(self.head(self.block(h)))


def shape(t):
    return "x".join(str(d) for d in t.shape) if t.dim() > 0 else "scalar"


net = Net()
for name, p in net.named_parameters():
    print("parameter", name, shape(p))
for name, b in net.named_buffers():
    print("buffer", name, shape(b))
for name in net._modules:  # what the module prints, one "(name): ..." line each
    print("child", name)
