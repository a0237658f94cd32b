"""
`G` independent one-layer GRUs with a linear head, run as one block-diagonal GRU.

The repeats of a post-hoc score are independent models; on a CPU a tiny GRU's cost is the per-step overhead,
not its width, so training the repeats side by side costs about one repeat. Off-diagonal blocks start at zero
and their gradients are masked to zero, so with Adam (elementwise) every group trains exactly as a model of
its own would.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _block_mask(groups: int, rows: int, cols: int, gates: int = 1) -> torch.Tensor:
    """`[gates * groups * rows, groups * cols]` mask that is 1 on the diagonal blocks of every gate's rows."""
    mask = torch.block_diag(*[torch.ones(rows, cols) for _ in range(groups)])
    return mask.repeat(gates, 1)


class GroupedGRU(nn.Module):
    """
    `groups` independent GRUs `inputs -> hidden` with linear heads `hidden -> outputs`.

    Input `[B, T, groups * inputs]` (group `g` reads features `g * inputs ... (g + 1) * inputs - 1`); output
    `[B, T, groups * outputs]` with `sequence=True`, else `[B, groups * outputs]` from the last step.
    """

    def __init__(self, groups: int, inputs: int, hidden: int, outputs: int) -> None:
        super().__init__()
        self.groups, self.outputs = groups, outputs
        self.gru = nn.GRU(groups * inputs, groups * hidden, batch_first=True)
        self.head = nn.Linear(groups * hidden, groups * outputs)
        masks = {
            "weight_ih_l0": _block_mask(groups, hidden, inputs, gates=3),
            "weight_hh_l0": _block_mask(groups, hidden, hidden, gates=3),
        }
        # 1. PyTorch's default initialisation U(-1/sqrt(hidden), 1/sqrt(hidden)) for each group's own width.
        bound = 1.0 / math.sqrt(hidden)
        with torch.no_grad():
            for parameter in list(self.gru.parameters()) + list(self.head.parameters()):
                parameter.uniform_(-bound, bound)
            for name, mask in masks.items():
                getattr(self.gru, name).mul_(mask)
            head_mask = _block_mask(groups, outputs, hidden)
            self.head.weight.mul_(head_mask)
        # 2. Keep the off-diagonal blocks at zero.
        for name, mask in masks.items():
            getattr(self.gru, name).register_hook(lambda grad, mask=mask: grad * mask)
        self.head.weight.register_hook(lambda grad: grad * head_mask)

    def forward(self, x: torch.Tensor, sequence: bool = False) -> torch.Tensor:
        states, last = self.gru(x)
        return self.head(states) if sequence else self.head(last[-1])
