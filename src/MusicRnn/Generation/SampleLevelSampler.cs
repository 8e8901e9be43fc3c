using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using MusicRnn.Models;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>
/// Free-running generation of a sample-level model (docs/ARCHITECTURE.md, "Generation"): the sample
/// tier computed in managed SIMD code over weights copied once out of its modules, the tiers above
/// it through the model's own modules once per frame. A step through the module's forward costs a
/// dozen TorchSharp calls for a few hundred thousand multiply-adds; one sample here costs none.
/// </summary>
/// <remarks>
/// Per sample and stream, with the previous F levels x and the conditioning row c of the target
/// (the equations of <see cref="SampleRnnModel"/>):
/// <code>
///     a = relu(Σ_k E[k·L + x_k] + c),   h = relu(W₁ a + b₁),   z = W₂ h + b₂
///     x_next ~ softmax(z / τ)   (the arg-max when τ = 0)
/// </code>
/// The levels of a frame are fed to <see cref="SampleRnnModel.Advance"/> as soon as the frame
/// ends, which gives the conditioning of the next frame's targets. The logits equal the module's
/// forward within float rounding (tests/MusicRnn.Tests/Generation/SampleLevelSamplerTests.cs).
/// Draws come from the sampler's own seeded generator, so equal seeds give equal audio.
/// </remarks>
internal sealed class SampleLevelSampler
{
    private readonly SampleRnnModel model;
    private readonly int frame, levels, width;
    private readonly float[] embedding, w1, b1, w2, b2;

    /// <param name="model">A trained sample-level model on the CPU.</param>
    public SampleLevelSampler(SampleRnnModel model)
    {
        this.model = model;
        (frame, levels, width) = (model.FrameSize, model.Levels, model.MlpSize);
        var weights = model.SampleTierWeights().Select(Copy).ToArray();
        (embedding, w1, b1, w2, b2) = (weights[0], weights[1], weights[2], weights[3], weights[4]);
    }

    /// <summary>
    /// The logits of the next sample of every stream from the previous levels and the conditioning
    /// rows, into <paramref name="logits"/> [B·L]: what <see cref="Run"/> samples from.
    /// </summary>
    /// <param name="previous">The last F levels of each stream, [B·F], oldest first.</param>
    /// <param name="condition">Each stream's conditioning row, [B·D].</param>
    /// <param name="logits">Receives [B·L].</param>
    /// <param name="hidden">Scratch of 2·D floats.</param>
    public void Logits(ReadOnlySpan<int> previous, ReadOnlySpan<float> condition, Span<float> logits, Span<float> hidden)
    {
        int streams = previous.Length / frame;
        var a = hidden[..width];
        var h = hidden.Slice(width, width);
        for (int b = 0; b < streams; b++)
        {
            condition.Slice(b * width, width).CopyTo(a);
            for (int k = 0; k < frame; k++)
                TensorPrimitives.Add(a, embedding.AsSpan(((k * levels) + previous[(b * frame) + k]) * width, width), a);
            TensorPrimitives.Max(a, 0f, a);
            for (int i = 0; i < width; i++) h[i] = TensorPrimitives.Dot(w1.AsSpan(i * width, width), a) + b1[i];
            TensorPrimitives.Max(h, 0f, h);
            var z = logits.Slice(b * levels, levels);
            for (int i = 0; i < levels; i++) z[i] = TensorPrimitives.Dot(w2.AsSpan(i * width, width), h) + b2[i];
        }
    }

    /// <summary>
    /// Generates <paramref name="count"/> samples of every stream after <paramref name="state"/>
    /// (the state after the prime; not disposed), sending each chunk of levels to <paramref name="sink"/>.
    /// </summary>
    /// <param name="state">The model's state after priming, batch B.</param>
    /// <param name="count">Samples per stream.</param>
    /// <param name="temperature">τ of the softmax; at or below <see cref="Objectives.SampleCategorical.ArgMaxTemperature"/> the arg-max.</param>
    /// <param name="seed">Seed of the draws.</param>
    /// <param name="chunk">Samples per chunk sent to the sink.</param>
    /// <param name="sink">Receives the levels of a chunk, [n·B] time-major, valid during the call only.</param>
    /// <param name="seen">Shown every step's logits [B·L] before the draw (the tests compare them with forward's).</param>
    public void Run(ModelState state, long count, double temperature, long seed, int chunk, Action<ReadOnlyMemory<int>> sink, Action<float[]>? seen = null)
    {
        using var _ = no_grad();
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        long batch = state.Tensors[0].shape[0];
        int streams = (int)batch;
        var previous = new int[streams * frame];
        var condition = new float[streams * frame * width];
        var row = new float[streams * width];
        var logits = new float[streams * levels];
        var hidden = new float[2 * width];
        var pending = new float[frame * streams];   // the frame's levels as the tiers read them, [held, B]
        var output = new int[chunk * streams];
        int held = 0, filled = 0;
        ModelState current = state;
        long clock = state.Clock;
        Read(current, previous, condition);
        // One region without collections per chunk, not per frame: starting one costs more than a frame's work.
        var quiet = NoCollection.Begin(NoCollection.StepBudget);
        try
        {
            for (long n = 0; n < count; n++)
            {
                // The output at the latest level takes row (clock mod F) + held of the frame's conditioning;
                // row F is the next frame's, which the tiers make once the frame's levels are in.
                int index = (int)(clock % frame) + held;
                if (index == frame)
                {
                    var advanced = Advance(current, pending, held, streams);
                    if (!ReferenceEquals(current, state)) current.Dispose();
                    current = advanced;
                    clock += held;
                    held = 0;
                    index = (int)(clock % frame);
                    Read(current, null, condition);
                }
                for (int b = 0; b < streams; b++)
                    condition.AsSpan(((b * frame) + index) * width, width).CopyTo(row.AsSpan(b * width, width));
                Logits(previous, row, logits, hidden);
                seen?.Invoke(logits);
                for (int b = 0; b < streams; b++)
                {
                    int level = Draw(logits.AsSpan(b * levels, levels), temperature, random);
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
                    quiet = NoCollection.Begin(NoCollection.StepBudget);
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

    /// <summary>The state after the frame's <paramref name="held"/> levels of every stream.</summary>
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

    /// <summary>A level drawn from softmax(z / τ) by inverting the cumulative sum, in double; the arg-max at τ ≈ 0.</summary>
    internal static int Draw(ReadOnlySpan<float> z, double temperature, Random random)
    {
        int best = TensorPrimitives.IndexOfMax(z);
        if (temperature <= Objectives.SampleCategorical.ArgMaxTemperature) return best;
        double top = z[best], total = 0;
        Span<double> weights = stackalloc double[z.Length];
        for (int i = 0; i < z.Length; i++) total += weights[i] = Math.Exp((z[i] - top) / temperature);
        double u = random.NextDouble() * total;
        for (int i = 0; i < z.Length; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        return best;   // only by rounding: u landed on the total itself
    }

    private static float[] Copy(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().contiguous().to_type(ScalarType.Float32).data<float>().ToArray();
    }
}
