using MusicRnn.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Training;

/// <summary>
/// A one-layer Elman RNN written out step by step, so the trainer can be tested without
/// the real architectures: h_t = tanh(W x_t + U h_{t-1} + b), ŷ_t = V h_t + c.
/// </summary>
internal sealed class TinyRnn : FrameModel
{
    private readonly Parameter weight_ih;
    private readonly Parameter weight_hh;
    private readonly Parameter bias;
    private readonly Parameter head_weight;
    private readonly Parameter head_bias;

    public TinyRnn(ModelSpec spec) : base("tiny_rnn", spec)
    {
        int h = spec.HiddenSize, i = spec.InputSize, o = spec.OutputSize;
        double k = 1 / Math.Sqrt(h);
        weight_ih = nn.Parameter((rand(h, i) * 2 - 1) * k);
        weight_hh = nn.Parameter((rand(h, h) * 2 - 1) * k);
        bias = nn.Parameter((rand(h) * 2 - 1) * k);
        head_weight = nn.Parameter((rand(o, h) * 2 - 1) * k);
        head_bias = nn.Parameter(zeros(o));
        RegisterComponents();
    }

    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state)
    {
        var h = state?.Tensors[0] ?? zeros(input.shape[1], Spec.HiddenSize, dtype: input.dtype, device: input.device);
        var outputs = new List<Tensor>();
        for (long t = 0; t < input.shape[0]; t++)
        {
            h = tanh(input[t].matmul(weight_ih.t()) + h.matmul(weight_hh.t()) + bias); // [B, H]
            outputs.Add(h);
        }
        var hidden = stack(outputs);                                                    // [T, B, H]
        return (hidden.matmul(head_weight.t()) + head_bias, new ModelState([h], (state?.Clock ?? 0) + input.shape[0]));
    }

    public override ModelState InitialState(long batch, Device device, ScalarType dtype) =>
        new([zeros(batch, Spec.HiddenSize, dtype: dtype, device: device)], 0);
}

/// <summary>
/// A model whose state does not depend on its weights — a leaky sum h_t = 0.9 h_{t-1} + x_t
/// (hidden = input size) read out by a trainable linear head — so the state the trainer
/// carries can be checked against a long forward pass even while the head learns. It
/// records the state every gradient-tracked window started from.
/// </summary>
internal sealed class LeakySum : FrameModel
{
    public const double Decay = 0.9;

    private readonly Parameter head_weight;
    private readonly Parameter head_bias;

    public LeakySum(ModelSpec spec) : base("leaky_sum", spec)
    {
        head_weight = nn.Parameter(eye(spec.OutputSize, spec.InputSize));
        head_bias = nn.Parameter(zeros(spec.OutputSize));
        RegisterComponents();
    }

    /// <summary>Start state [B, H] of every window run with gradient, in call order (null = zeros).</summary>
    public List<float[]?> WindowStarts { get; } = [];

    /// <summary>Clock of every such window's start state.</summary>
    public List<long> WindowClocks { get; } = [];

    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state)
    {
        if (is_grad_enabled())
        {
            WindowStarts.Add(state?.Tensors[0].detach().cpu().data<float>().ToArray());
            WindowClocks.Add(state?.Clock ?? 0);
        }
        var h = state?.Tensors[0] ?? zeros(input.shape[1], input.shape[2], dtype: input.dtype, device: input.device);
        var outputs = new List<Tensor>();
        for (long t = 0; t < input.shape[0]; t++)
        {
            h = h * Decay + input[t];
            outputs.Add(h);
        }
        var hidden = stack(outputs); // [T, B, H]
        return (hidden.matmul(head_weight.t()) + head_bias, new ModelState([h], (state?.Clock ?? 0) + input.shape[0]));
    }

    public override ModelState InitialState(long batch, Device device, ScalarType dtype) =>
        new([zeros(batch, Spec.InputSize, dtype: dtype, device: device)], 0);
}

/// <summary>
/// Wraps a model and poisons its output with NaN from the <c>healthyWindows + 1</c>-th
/// gradient-tracked window on, to provoke divergence at a known iteration.
/// </summary>
internal sealed class PoisonedModel : FrameModel
{
    private readonly FrameModel inner;
    private readonly int _healthyWindows;
    private int _windows;

    public PoisonedModel(FrameModel inner, int healthyWindows) : base("poisoned", inner.Spec)
    {
        this.inner = inner;
        _healthyWindows = healthyWindows;
        RegisterComponents();
    }

    public override (Tensor Output, ModelState State) forward(Tensor input, ModelState? state)
    {
        var (output, next) = inner.forward(input, state);
        if (is_grad_enabled() && ++_windows > _healthyWindows) output = output * float.NaN;
        return (output, next);
    }

    public override ModelState InitialState(long batch, Device device, ScalarType dtype) => inner.InitialState(batch, device, dtype);
}

/// <summary>Seeded synthetic material for training tests.</summary>
internal static class Synthetic
{
    /// <summary>
    /// A short "chord sequence" in feature space: four chords (each three of
    /// <paramref name="features"/> bins, with a slow tremolo), each held for 6 frames, looping,
    /// plus a little noise; z-scored per feature like the real normalizer (or mapped to [0, 1]
    /// with <paramref name="minMax"/>). [frames, features].
    /// </summary>
    public static Tensor ChordFrames(int frames, int features, int seed, bool minMax = false)
    {
        var random = new Random(seed);
        int[][] chords = [[0, 4, 7], [5, 9, 12], [7, 11, 14], [3, 7, 10]];
        var data = new float[frames * features];
        for (int t = 0; t < frames; t++)
        {
            var chord = chords[t / 6 % chords.Length];
            for (int f = 0; f < features; f++)
            {
                double tone = chord.Any(c => c % features == f) ? 1.0 + 0.3 * Math.Sin(t * 0.7 + f) : 0.0;
                data[t * features + f] = (float)(tone + 0.05 * (random.NextDouble() - 0.5));
            }
        }
        using var raw = tensor(data, frames, features);
        if (minMax)
        {
            using var low = raw.amin([0]);
            using var range = (raw.amax([0]) - low).clamp_min(1e-8);
            return ((raw - low) / range).DetachFromDisposeScope();
        }
        using var mean = raw.mean([0]);
        using var std = raw.std([0]).clamp_min(1e-8);
        return ((raw - mean) / std).DetachFromDisposeScope();
    }

    /// <summary>Uniform noise frames [frames, features].</summary>
    public static Tensor NoiseFrames(int frames, int features, int seed)
    {
        var random = new Random(seed);
        var data = Enumerable.Range(0, frames * features).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return tensor(data, frames, features);
    }
}
