using static TorchSharp.torch;

namespace MusicRnn.Codecs;

/// <summary>
/// The codecs of sample-level models (docs/ARCHITECTURE.md, "Codecs"): every sample becomes the
/// index of one of L levels, a frame of one feature. Not exact: the round trip keeps the level,
/// not the sample. A leaf says only how amplitude maps to the uniform grid it is rounded on.
/// </summary>
/// <remarks>
/// With a compander c: [−1, 1] → [−1, 1] (odd, increasing), the level of x is
/// round((c(clip(x)) + 1)/2 · (L − 1)) and a level q decodes to c⁻¹(2q/(L − 1) − 1). For even L,
/// silence (x = 0) lies halfway between two levels and rounds (to even) to L/2, the level a
/// sample-level model takes the time before a song to be. Samples beyond ±1 are clipped.
/// </remarks>
public abstract class QuantizingCodec : IFrameCodec
{
    /// <summary>The levels a sample-level model predicts unless asked otherwise (<c>--levels</c>): 8 bits.</summary>
    public const int DefaultLevels = 256;

    /// <param name="levels">L, from 2 to 65536.</param>
    protected QuantizingCodec(int levels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(levels, 65536);
        Levels = levels;
    }

    /// <summary>L, the number of levels.</summary>
    public int Levels { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>False: the round trip keeps each sample's level, not the sample.</summary>
    public bool IsExact => false;

    /// <summary>One sample per frame.</summary>
    public int FrameLength => 1;

    /// <inheritdoc/>
    public int Hop => 1;

    /// <summary>One feature: the level index, 0 … L − 1, as a float (exact below 2²⁴).</summary>
    public int FeatureCount => 1;

    /// <inheritdoc/>
    public int FrameCount(int sampleCount) => Math.Max(0, sampleCount);

    /// <summary>The compander c on [−1, 1].</summary>
    protected abstract double Compand(double x);

    /// <summary>Its inverse.</summary>
    protected abstract double Expand(double y);

    /// <summary>The level of one sample.</summary>
    public int Level(float sample)
    {
        double x = float.IsNaN(sample) ? throw new ArgumentException("a NaN sample has no level", nameof(sample)) : Math.Clamp(sample, -1f, 1f);
        return (int)Math.Round((Compand(x) + 1) / 2 * (Levels - 1), MidpointRounding.ToEven);
    }

    /// <summary>The sample a level stands for.</summary>
    public float Sample(int level) => (float)Expand((2.0 * Math.Clamp(level, 0, Levels - 1) / (Levels - 1)) - 1);

    /// <inheritdoc/>
    public Tensor Encode(ReadOnlySpan<float> samples)
    {
        var levels = new float[samples.Length];
        for (int i = 0; i < levels.Length; i++) levels[i] = Level(samples[i]);
        return tensor(levels, [levels.Length, 1L]);
    }

    /// <summary>Levels [frames, 1] back to samples; a value between levels is rounded to the nearest first.</summary>
    public float[] Decode(Tensor frames)
    {
        BlockFraming.CheckFrames(frames, FeatureCount, Name);
        var levels = BlockFraming.ToSamples(frames);
        var samples = new float[levels.Length];
        for (int i = 0; i < samples.Length; i++) samples[i] = Sample((int)MathF.Round(levels[i]));
        return samples;
    }
}

/// <summary>
/// μ-law: c(x) = sign(x) ln(1 + μ|x|) / ln(1 + μ) with μ = L − 1 (ITU-T G.711's curve, as WaveNet
/// and SampleRNN use it): fine steps near silence, coarse ones near full scale, so quiet music keeps
/// its detail at 8 bits.
/// </summary>
/// <param name="levels">L.</param>
public sealed class MuLawCodec(int levels) : QuantizingCodec(levels)
{
    private readonly double mu = levels - 1;

    /// <inheritdoc/>
    public override string Name => "mulaw";

    /// <inheritdoc/>
    protected override double Compand(double x) => Math.Sign(x) * Math.Log(1 + (mu * Math.Abs(x))) / Math.Log(1 + mu);

    /// <inheritdoc/>
    protected override double Expand(double y) => Math.Sign(y) * (Math.Pow(1 + mu, Math.Abs(y)) - 1) / mu;
}

/// <summary>Linear quantization: c(x) = x, L equal steps over [−1, 1].</summary>
/// <param name="levels">L.</param>
public sealed class LinearQuantizerCodec(int levels) : QuantizingCodec(levels)
{
    /// <inheritdoc/>
    public override string Name => "linear";

    /// <inheritdoc/>
    protected override double Compand(double x) => x;

    /// <inheritdoc/>
    protected override double Expand(double y) => y;
}
