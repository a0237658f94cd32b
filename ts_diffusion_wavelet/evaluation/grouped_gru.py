"""
`G` independent one-layer GRUs with linear heads, evaluated together with batched matrix products.

The repeats of a post-hoc score (and the candidates scored side by side) are independent small models. On a
CPU their cost is per-operation overhead, not arithmetic, so stepping all of them through time at once with
`bmm` costs about as much as one of them. The cell is PyTorch's `nn.GRU` cell:
r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
n = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn)), h' = (1 - z) ∘ n + z ∘ h.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import torch
from torch import nn


@contextlib.contextmanager
def single_thread() -> Iterator[None]:
    """Runs the block with one intra-op thread: tiny GRU steps gain nothing from more and lose a lot on a busy CPU."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class GroupedGRU(nn.Module):
    """
    `groups` independent GRUs `inputs -> hidden` (zero initial state) with linear heads `hidden -> outputs`.

    Input `[G, B, T, inputs]`; output `[G, B, T, outputs]` with `sequence=True` (one prediction per step),
    else `[G, B, outputs]` from the last hidden state. Parameters start as `nn.GRU` and `nn.Linear` do:
    uniform in `±1 / sqrt(hidden)`.
    """

    def __init__(self, groups: int, inputs: int, hidden: int, outputs: int) -> None:
        super().__init__()
        self.hidden = hidden
        bound = 1.0 / math.sqrt(hidden)

        def uniform(*shape: int) -> nn.Parameter:
            return nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))

        self.weight_ih = uniform(groups, inputs, 3 * hidden)
        self.weight_hh = uniform(groups, hidden, 3 * hidden)
        self.bias_ih = uniform(groups, 1, 3 * hidden)
        self.bias_hh = uniform(groups, 1, 3 * hidden)
        self.head_weight = uniform(groups, hidden, outputs)
        self.head_bias = uniform(groups, 1, outputs)

    def forward(self, x: torch.Tensor, sequence: bool = False) -> torch.Tensor:
        groups, batch, steps, inputs = x.shape
        hidden = self.hidden
        # 1. Input projections of every step at once, split per step with `unbind` (its backward stacks the step
        # gradients once; indexing step by step would build a full-size zero gradient per step, O(T^2)).
        projected = torch.baddbmm(self.bias_ih, x.reshape(groups, batch * steps, inputs), self.weight_ih)
        per_step = projected.reshape(groups, batch, steps, 3 * hidden).unbind(dim=2)
        state = x.new_zeros(groups, batch, hidden)
        states = []
        for step in per_step:
            # 2. The GRU cell (gate order r, z, n as in `nn.GRU`).
            recurrent = torch.baddbmm(self.bias_hh, state, self.weight_hh)
            step_rz, step_n = step.split([2 * hidden, hidden], dim=-1)
            recurrent_rz, recurrent_n = recurrent.split([2 * hidden, hidden], dim=-1)
            reset, update = torch.sigmoid(step_rz + recurrent_rz).chunk(2, dim=-1)
            candidate = torch.tanh(step_n + reset * recurrent_n)
            state = candidate + update * (state - candidate)
            if sequence:
                states.append(state)
        # 3. Linear heads.
        if sequence:
            stacked = torch.stack(states, dim=2).reshape(groups, batch * steps, hidden)
            return torch.baddbmm(self.head_bias, stacked, self.head_weight).reshape(groups, batch, steps, -1)
        return torch.baddbmm(self.head_bias, state, self.head_weight)
