"""Load a MusicRnn checkpoint folder into PyTorch (no pickle, no MusicRnn code).

    import musicrnn_torch
    model, config, normalizer = musicrnn_torch.load("run/checkpoint")
    y, state = model(x)            # x: [T, B, input_size] frames in model space

A checkpoint folder holds config.json (the model's spec under "model"), weights.safetensors (the
parameters under PyTorch's names) and normalizer.safetensors (the model space: (x - shift) / scale
per feature). Where MusicRnn's equations are PyTorch's, the recurrent stack is torch.nn.RNN / LSTM /
GRU itself: the tanh RNN, the LSTM without peepholes, the GRU with the reset gate after the
recurrent product (--gru-reset after). The rest have their cell equations written out below, with
the same parameter names: the sigmoid RNN, the peephole LSTM (MusicRnn's default), the GRU with
the reset gate before the product (Cho et al. 2014, MusicRnn's default) and the Clockwork RNN
(Koutnik et al. 2014). A sample-level model (config "sample_level", SampleRNN of Mehri et al.
2017) is built as SampleRnn below.

Runs on torch 1.13 (Debian's python3-torch) and later.
"""

import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

_DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "U8": "u1"}


def read_safetensors(path):
    """Every tensor of a safetensors file: an 8-byte little-endian header length, a JSON header
    naming each tensor's dtype, shape and byte range, then the raw little-endian data."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    start = 8 + length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[start + begin:start + end], dtype=_DTYPES[entry["dtype"]])
        tensors[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return tensors


class Normalizer:
    """The map between codec features and model space: model = (x - shift) / scale."""

    def __init__(self, shift, scale):
        self.shift, self.scale = shift, scale

    def normalize(self, x):
        return (x - self.shift) / self.scale

    def denormalize(self, y):
        return y * self.scale + self.shift


class RecurrentLayers(nn.Module):
    """A stack of recurrent layers with PyTorch's flat parameter names (weight_ih_l0, ...; and
    peephole_i_l0, ... for the peephole LSTM), running the cell equations written out.

    cell: "rnn" (phi = activation), "lstm" (peepholes optional), "gru-before", "cwrnn".
    Time-major like nn.RNN: forward(x [T, B, I], state) -> (h of the top layer [T, B, H], state);
    state is h [L, B, H] (the LSTM: (h, c)), and for the CW-RNN (h, clock), clock = steps since
    the state was zero.
    """

    def __init__(self, cell, input_size, hidden_size, num_layers, activation="tanh", peepholes=False, periods=None):
        super().__init__()
        self.cell, self.hidden_size, self.num_layers = cell, hidden_size, num_layers
        self.phi = torch.tanh if activation == "tanh" else torch.sigmoid
        self.peepholes = cell == "lstm" and peepholes
        self.periods = list(periods or [])
        gates = {"rnn": 1, "lstm": 4, "gru-before": 3, "cwrnn": 1}[cell]
        for k in range(num_layers):
            size = input_size if k == 0 else hidden_size
            self.register_parameter(f"weight_ih_l{k}", nn.Parameter(torch.empty(gates * hidden_size, size)))
            self.register_parameter(f"weight_hh_l{k}", nn.Parameter(torch.empty(gates * hidden_size, hidden_size)))
            self.register_parameter(f"bias_ih_l{k}", nn.Parameter(torch.empty(gates * hidden_size)))
            self.register_parameter(f"bias_hh_l{k}", nn.Parameter(torch.empty(gates * hidden_size)))
            if self.peepholes:
                for g in "ifo":
                    self.register_parameter(f"peephole_{g}_l{k}", nn.Parameter(torch.empty(hidden_size)))
        if cell == "cwrnn":
            # Module i hears only itself and slower modules: U is block-upper-triangular ([out, in]).
            module = torch.arange(hidden_size) // (hidden_size // len(self.periods))
            self.register_buffer("mask", (module.unsqueeze(1) <= module.unsqueeze(0)).float(), persistent=False)
            self.register_buffer("unit_period", torch.tensor(self.periods)[module], persistent=False)

    def forward(self, x, state=None):
        T, B, _ = x.shape
        zeros = x.new_zeros(self.num_layers, B, self.hidden_size)
        clock = 0
        if self.cell == "lstm":
            h0, c0 = state if state is not None else (zeros, zeros)
        elif self.cell == "cwrnn":
            h0, clock = state if state is not None else (zeros, 0)
        else:
            h0 = state if state is not None else zeros
        hs, cs = [], []
        for k in range(self.num_layers):
            p = lambda name: getattr(self, f"{name}_l{k}")  # noqa: E731
            xp = F.linear(x, p("weight_ih"), p("bias_ih"))  # the whole window's W x_t + b_W at once
            if self.cell == "lstm":
                x, h, c = self._lstm(xp, h0[k], c0[k], p)
                cs.append(c)
            else:
                x, h = getattr(self, "_" + self.cell.replace("-", "_"))(xp, h0[k], p, clock)
            hs.append(h)
        h = torch.stack(hs)
        if self.cell == "lstm":
            return x, (h, torch.stack(cs))
        return x, ((h, clock + T) if self.cell == "cwrnn" else h)

    def _rnn(self, xp, h, p, clock):
        # h_t = phi(W x_t + b_W + U h_{t-1} + b_U)
        out = []
        for t in range(xp.shape[0]):
            h = self.phi(xp[t] + F.linear(h, p("weight_hh"), p("bias_hh")))
            out.append(h)
        return torch.stack(out), h

    def _lstm(self, xp, h, c, p):
        # Gates stacked (i, f, g, o); the input and forget gates see c_{t-1}, the output gate c_t.
        out = []
        for t in range(xp.shape[0]):
            ai, af, ag, ao = (xp[t] + F.linear(h, p("weight_hh"), p("bias_hh"))).chunk(4, -1)
            if self.peepholes:
                ai, af = ai + p("peephole_i") * c, af + p("peephole_f") * c
            c = torch.sigmoid(af) * c + torch.sigmoid(ai) * torch.tanh(ag)
            if self.peepholes:
                ao = ao + p("peephole_o") * c
            h = torch.sigmoid(ao) * torch.tanh(c)
            out.append(h)
        return torch.stack(out), h, c

    def _gru_before(self, xp, h, p, clock):
        # Cho et al.: r and z as nn.GRU; n_t = tanh(W_n x_t + b_Wn + U_n (r_t * h_{t-1}) + b_Un).
        H = self.hidden_size
        u, b = p("weight_hh"), p("bias_hh")
        out = []
        for t in range(xp.shape[0]):
            r, z = torch.sigmoid(xp[t, :, :2 * H] + F.linear(h, u[:2 * H], b[:2 * H])).chunk(2, -1)
            n = torch.tanh(xp[t, :, 2 * H:] + F.linear(r * h, u[2 * H:], b[2 * H:]))
            h = (1 - z) * n + z * h
            out.append(h)
        return torch.stack(out), h

    def _cwrnn(self, xp, h, p, clock):
        # Module i updates at steps t with t mod T_i = 0 (t counted since the state was zero).
        u = p("weight_hh") * self.mask
        out = []
        for t in range(xp.shape[0]):
            active = (clock + t) % self.unit_period == 0
            h = torch.where(active, self.phi(xp[t] + F.linear(h, u, p("bias_hh"))), h)
            out.append(h)
        return torch.stack(out), h


def recurrent_stack(spec, input_size):
    """torch.nn.RNN / LSTM / GRU where MusicRnn's equations are PyTorch's, else RecurrentLayers."""
    arch, hidden, layers = spec["arch"], spec["hidden_size"], spec["layers"]
    if arch == "rnn" and spec["activation"] == "tanh":
        return nn.RNN(input_size, hidden, layers, nonlinearity="tanh")
    if arch == "lstm" and not spec["peepholes"]:
        return nn.LSTM(input_size, hidden, layers)
    if arch == "gru" and spec["gru_reset"] == "after":
        return nn.GRU(input_size, hidden, layers)
    if arch == "cwrnn":
        periods = spec["periods"] or [1 << min(i, 30) for i in range(spec["modules"])]
        return RecurrentLayers("cwrnn", input_size, hidden, layers, spec["activation"], periods=periods)
    cell = {"rnn": "rnn", "lstm": "lstm", "gru": "gru-before"}[arch]
    return RecurrentLayers(cell, input_size, hidden, layers, spec["activation"], peepholes=spec["peepholes"])


class RecurrentModel(nn.Module):
    """A frame model: the recurrent stack (rnn.*) and a linear head (head.*) read out as the
    config's "readout" says (absent in checkpoints older than it: plain):
        plain     y_t = W_y h_t + b_y
        residual  y_t = x_t + W_y h_t + b_y
        scaled    y_t = skip * x_t + W_y h_t + b_y    (skip: one gain per feature)"""

    def __init__(self, spec):
        super().__init__()
        self.rnn = recurrent_stack(spec, spec["input_size"])
        self.head = nn.Linear(spec["hidden_size"], spec["output_size"])
        self.readout = spec.get("readout", "plain")
        if self.readout not in ("plain", "residual", "scaled"):
            raise ValueError(f"unknown readout {self.readout!r}")
        if self.readout == "scaled":
            self.skip = nn.Parameter(torch.ones(spec["output_size"]))

    def forward(self, x, state=None):
        h, state = self.rnn(x, state)
        y = self.head(h)
        if self.readout == "residual":
            y = y + x
        elif self.readout == "scaled":
            y = y + self.skip * x
        return y, state


class MlpModel(nn.Module):
    """The feed-forward baselines: logistic regression (layers 0: sigmoid(head(x))) and the MLP."""

    def __init__(self, spec):
        super().__init__()
        self.logreg = spec["arch"] == "logreg"
        sizes = [spec["input_size"]] + [spec["hidden_size"]] * spec["layers"]
        self.ff = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])) if not self.logreg else None
        self.head = nn.Linear(spec["input_size"] if self.logreg else spec["hidden_size"], spec["output_size"])
        self.phi = torch.tanh if spec["activation"] == "tanh" else torch.sigmoid

    def forward(self, x, state=None):
        if self.logreg:
            return torch.sigmoid(self.head(x)), None
        for layer in self.ff:
            x = self.phi(layer(x))
        return self.head(x), None


class SampleRnn(nn.Module):
    """SampleRNN (Mehri et al. 2017) with a MusicRnn recurrent stack as its frame tier.

    forward(levels [T, B], level indices of the song from its start) -> logits [T, B, L], the
    logits at position t being those of level t + 1. Samples before the song are silence (L // 2),
    and each tier has ticked once over that silence before the song begins. The frame tier ticks
    after every F-th sample over the last F samples (scaled to [-1, 1]); its output, upsampled per
    position (frame_upsample), conditions the F targets that follow. The sample tier sums one
    embedding per previous sample and position (embedding, rows k*L + x) with that conditioning and
    runs relu -> sample_mlp.0 -> relu -> sample_mlp.2. With 3 tiers a top tier ticks after every
    R*F samples over the last R*F, and its output, upsampled per frame (top_upsample), joins the
    input of the R frame-tier ticks that follow.
    """

    def __init__(self, spec):
        super().__init__()
        s = spec["sample_level"]
        self.tiers, self.F, self.R, self.L, self.D = s["tiers"], s["frame_size"], s["top_ratio"], s["levels"], s["mlp_size"]
        self.H = spec["hidden_size"]
        self.embedding = nn.EmbeddingBag(self.F * self.L, self.D, mode="sum")
        if self.tiers >= 2:
            self.frame_rnn = recurrent_stack(spec, self.F + (self.H if self.tiers == 3 else 0))
            self.frame_upsample = nn.Linear(self.H, self.F * self.D)
        if self.tiers == 3:
            self.top_rnn = recurrent_stack(spec, self.R * self.F)
            self.top_upsample = nn.Linear(self.H, self.R * self.H)
        self.sample_mlp = nn.Sequential(nn.Linear(self.D, self.D), nn.ReLU(), nn.Linear(self.D, self.L))

    def scaled(self, levels):
        return levels * (2.0 / (self.L - 1)) - 1

    def forward(self, levels, state=None):
        assert state is None, "SampleRnn runs a song from its start"
        T, B = levels.shape
        F_, R, L, D, H = self.F, self.R, self.L, self.D, self.H
        history = R * F_ if self.tiers == 3 else F_
        silence = levels.new_full((history, B), L // 2)
        context = torch.cat([silence, levels]).float()            # song position q is context[q + history]
        condition = 0
        if self.tiers >= 2:
            ticks = T // F_ + 1                                    # tick j (0: over the silence) conditions targets jF .. jF + F - 1
            windows = torch.stack([context[history - F_ + j * F_:history + j * F_] for j in range(ticks)])   # [J, F, B]
            inputs = self.scaled(windows).permute(0, 2, 1)                                                   # [J, B, F]
            if self.tiers == 3:
                top_ticks = (ticks - 1) // R + 1
                top_windows = torch.stack([context[k * R * F_:(k + 1) * R * F_] for k in range(top_ticks)])  # [K, R·F, B]
                g, _ = self.top_rnn(self.scaled(top_windows).permute(0, 2, 1))                               # [K, B, H]
                per_frame = self.top_upsample(g).view(top_ticks, B, R, H).permute(0, 2, 1, 3).reshape(-1, B, H)
                inputs = torch.cat([inputs, per_frame[:ticks]], 2)  # frame tick j hears top tick j // R at position j % R
            h, _ = self.frame_rnn(inputs)                                                                    # [J, B, H]
            per_target = self.frame_upsample(h).view(ticks, B, F_, D).permute(0, 2, 1, 3).reshape(-1, B, D)
            condition = per_target[1:T + 1]                        # target s = t + 1
        previous = context[history - F_ + 1:history + T].unfold(0, F_, 1)                                    # [T, B, F]
        rows = previous.long() + torch.arange(F_) * L
        a = self.embedding(rows.reshape(T * B, F_)).view(T, B, D) + condition
        return self.sample_mlp(torch.relu(a)), None


def build(spec):
    """The PyTorch model a checkpoint's "model" section describes (weights uninitialised)."""
    if spec.get("sample_level"):
        return SampleRnn(spec)
    if spec["arch"] in ("logreg", "mlp"):
        return MlpModel(spec)
    if spec["arch"] == "persistence":
        raise ValueError("the persistence baseline has no parameters: y_t = x_t")
    return RecurrentModel(spec)


def load(folder, dtype=torch.float32):
    """(model in eval mode, config.json as a dict, Normalizer or None) of a checkpoint folder
    (or of the folder `musicrnn train --out` wrote, which holds it as checkpoint/)."""
    if not os.path.exists(os.path.join(folder, "config.json")):
        folder = os.path.join(folder, "checkpoint")
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    model = build(config["model"])
    weights = read_safetensors(os.path.join(folder, "weights.safetensors"))
    # Version 1 kept the normalizer's statistics among the weights.
    stats = {k: weights.pop(k) for k in list(weights) if k.startswith("normalizer.")}
    path = os.path.join(folder, "normalizer.safetensors")
    if os.path.exists(path):
        stats = read_safetensors(path)
    model.load_state_dict(weights, strict=True)
    model.to(dtype).eval()
    normalizer = Normalizer(stats["normalizer.shift"].to(dtype), stats["normalizer.scale"].to(dtype)) if stats else None
    return model, config, normalizer
