using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MusicRnn.Models;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>
/// Free-running generation of a sample-level model (docs/ARCHITECTURE.md, "Generation") in managed
/// SIMD code over weights copied once out of its modules: the sample tier per sample, the frame
/// tier (<see cref="ManagedFrameTier"/>) once per frame. A step through the modules' forward costs
/// dozens of TorchSharp calls for a few hundred thousand multiply-adds; a sample here costs none.
/// A three-tier model's tiers above the sample tier still step through its modules, once per frame.
/// </summary>
/// <remarks>
/// Per sample and stream, with the previous F levels x and the conditioning row c of the target
/// (the equations of <see cref="SampleRnnModel"/>):
/// <code>
///     a = relu(Σ_k E[k·L + x_k] + c),   h = relu(W₁ a + b₁),   z = W₂ h + b₂
///     x_next ~ softmax(z / τ)   (the arg-max when τ = 0)
/// </code>
/// The tiers above take a frame's levels as soon as it ends, which gives the conditioning of the
/// next frame's targets. The logits equal the module's forward within float rounding
/// (tests/MusicRnn.Tests/Generation/SampleLevelSamplerTests.cs). Stream b draws from its own
/// generator seeded with seed + b, so stream b of a batch is the one stream a run with seed + b
/// makes, and equal seeds give equal audio.
/// </remarks>
internal sealed class SampleLevelSampler
{
    private readonly SampleRnnModel model;
    private readonly int frame, levels, width;
    private readonly float[] embedding, w1, b1, w2, b2;
    private float[] summed = [], hiddenLayer = [];

    /// <param name="model">A trained sample-level model on the CPU.</param>
    public SampleLevelSampler(SampleRnnModel model)
    {
        this.model = model;
        (frame, levels, width) = (model.FrameSize, model.Levels, model.MlpSize);
        var weights = model.SampleTierWeights().Select(ManagedFrameTier.Floats).ToArray();
        (embedding, w1, b1, w2, b2) = (weights[0], weights[1], weights[2], weights[3], weights[4]);
    }

    /// <summary>
    /// The logits of the next sample of every stream from the previous levels and the conditioning
    /// rows, into <paramref name="logits"/> [B·L]: what <see cref="Run"/> samples from.
    /// </summary>
    /// <param name="previous">The last F levels of each stream, [B·F], oldest first.</param>
    /// <param name="condition">Each stream's conditioning row, [B·D].</param>
    /// <param name="logits">Receives [B·L].</param>
    public void Logits(ReadOnlySpan<int> previous, ReadOnlySpan<float> condition, Span<float> logits)
    {
        int streams = previous.Length / frame;
        if (summed.Length < streams * width) (summed, hiddenLayer) = (new float[streams * width], new float[streams * width]);
        var a = summed.AsSpan(0, streams * width);
        var h = hiddenLayer.AsSpan(0, streams * width);
        condition[..(streams * width)].CopyTo(a);
        for (int b = 0; b < streams; b++)
        {
            var mine = a.Slice(b * width, width);
            for (int k = 0; k < frame; k++)
                TensorPrimitives.Add(mine, embedding.AsSpan(((k * levels) + previous[(b * frame) + k]) * width, width), mine);
        }
        TensorPrimitives.Max(a, 0f, a);
        MatVec.Apply(w1, b1, width, width, a, width, h, width, streams);
        TensorPrimitives.Max(h, 0f, h);
        MatVec.Apply(w2, b2, levels, width, h, width, logits, levels, streams);
    }

    /// <summary>
    /// Generates <paramref name="count"/> samples of every stream after <paramref name="state"/>
    /// (the state after the prime; not disposed), sending each chunk of levels to <paramref name="sink"/>.
    /// </summary>
    /// <param name="state">The model's state after priming, batch B.</param>
    /// <param name="count">Samples per stream.</param>
    /// <param name="temperature">τ of the softmax; at or below <see cref="Objectives.SampleCategorical.ArgMaxTemperature"/> the arg-max.</param>
    /// <param name="seed">Seed of stream 0's draws; stream b's is seed + b.</param>
    /// <param name="chunk">Samples per chunk sent to the sink.</param>
    /// <param name="sink">Receives the levels of a chunk, [n·B] time-major, valid during the call only.</param>
    /// <param name="seen">Shown every step's logits [B·L] before the draw (the tests compare them with forward's).</param>
    public void Run(ModelState state, long count, double temperature, long seed, int chunk, Action<ReadOnlyMemory<int>> sink, Action<float[]>? seen = null)
    {
        using var _ = no_grad();
        int streams = (int)state.Tensors[0].shape[0];
        var random = Enumerable.Range(0, streams).Select(b => new Random(Mix(seed + b))).ToArray();
        var previous = new int[streams * frame];
        var condition = new float[streams * frame * width];
        var row = new float[streams * width];
        var logits = new float[streams * levels];
        var weights = new float[levels];
        var pending = new float[frame * streams];   // the frame's levels as the module tiers read them, [held, B]
        var output = new int[chunk * streams];
        int held = 0, filled = 0;
        var tier = ManagedFrameTier.Supports(model) ? new ManagedFrameTier(model) : null;
        ModelState current = state;
        long clock = state.Clock;
        Read(current, previous, condition);
        tier?.Load(model, state, streams);
        // The module tiers make TorchSharp calls, which need a region without collections: one per chunk,
        // not per frame, since starting one costs more than a frame's work. The managed tiers make none.
        var quiet = tier is null ? NoCollection.Begin(NoCollection.StepBudget) : default;
        try
        {
            for (long n = 0; n < count; n++)
            {
                // The output at the latest level takes row (clock mod F) + held of the frame's conditioning;
                // row F is the next frame's, which the tiers make once the frame's levels are in.
                int index = (int)(clock % frame) + held;
                if (index == frame)
                {
                    if (tier is not null)
                        tier.Advance(previous, FrameSteps(clock), condition, streams);
                    else
                    {
                        var advanced = Advance(current, pending, held, streams);
                        if (!ReferenceEquals(current, state)) current.Dispose();
                        current = advanced;
                        Read(current, null, condition);
                    }
                    clock += held;
                    held = 0;
                    index = (int)(clock % frame);
                }
                for (int b = 0; b < streams; b++)
                    condition.AsSpan(((b * frame) + index) * width, width).CopyTo(row.AsSpan(b * width, width));
                Logits(previous, row, logits);
                seen?.Invoke(logits);
                for (int b = 0; b < streams; b++)
                {
                    int level = Draw(logits.AsSpan(b * levels, levels), temperature, random[b], weights);
                    var mine = previous.AsSpan(b * frame, frame);
                    mine[1..].CopyTo(mine);
                    mine[^1] = level;
                    pending[(held * streams) + b] = level;
                    output[(filled * streams) + b] = level;
                }
                held++;
                if (++filled == chunk)
                {
                    quiet.Dispose();
                    sink(output.AsMemory(0, filled * streams));
                    filled = 0;
                    if (tier is null) quiet = NoCollection.Begin(NoCollection.StepBudget);
                }
            }
            quiet.Dispose();
            if (filled > 0) sink(output.AsMemory(0, filled * streams));
        }
        finally
        {
            quiet.Dispose();
            if (!ReferenceEquals(current, state)) current.Dispose();
        }
    }

    /// <summary>The frame stack's step count at the tick after the frame the position <paramref name="clock"/> is in: one tick before the song, then one per frame.</summary>
    private long FrameSteps(long clock) => 1 + (clock / frame);

    private static int Mix(long seed) => unchecked((int)(seed ^ (seed >> 32)));

    /// <summary>The state after the frame's <paramref name="held"/> levels of every stream, through the model's modules.</summary>
    private ModelState Advance(ModelState state, float[] pending, int held, int streams)
    {
        using var work = TensorWork.Begin();
        var input = tensor(pending.AsSpan(0, held * streams).ToArray(), [held, streams, 1]);
        return model.Advance(input, state).Detach().MoveToOuterDisposeScope();
    }

    /// <summary>Copies the state's conditioning [B, F, D] (and, when asked, its last F levels) into managed arrays.</summary>
    private void Read(ModelState state, int[]? previous, float[] condition)
    {
        using var scope = NewDisposeScope();
        var (c, p) = model.SamplerInputs(state);
        c.contiguous().to_type(ScalarType.Float32).data<float>().CopyTo(condition);
        if (previous is not null) p.contiguous().to_type(ScalarType.Int32).data<int>().CopyTo(previous);
    }

    /// <summary>A level drawn from softmax(z / τ) by inverting the cumulative sum; the arg-max at τ ≈ 0.</summary>
    internal static int Draw(ReadOnlySpan<float> z, double temperature, Random random) => Draw(z, temperature, random, new float[z.Length]);

    /// <summary>The same with <paramref name="weights"/> (at least as long as z) as scratch.</summary>
    internal static int Draw(ReadOnlySpan<float> z, double temperature, Random random, Span<float> weights)
    {
        int best = TensorPrimitives.IndexOfMax(z);
        if (temperature <= Objectives.SampleCategorical.ArgMaxTemperature) return best;
        var w = weights[..z.Length];
        // exp((z − max) / τ) in float SIMD: each weight in [0, 1], the largest exactly 1, so no overflow.
        TensorPrimitives.Subtract(z, z[best], w);
        TensorPrimitives.Multiply(w, (float)(1 / temperature), w);
        TensorPrimitives.Exp(w, w);
        float u = (float)random.NextDouble() * TensorPrimitives.Sum(w);
        for (int i = 0; i < w.Length; i++)
        {
            u -= w[i];
            if (u < 0) return i;
        }
        return best;   // only by rounding: u landed on the total itself
    }
}
