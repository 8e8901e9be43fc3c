namespace MusicRnn.Analysis;

/// <summary>
/// A run of log-mel frames in managed memory: <see cref="Count"/> frames of <see cref="Bands"/>
/// levels in dB, row-major. Managed so a block outlives any dispose scope and needs no disposal.
/// </summary>
public sealed class LogMelFrames
{
    private readonly float[] values;

    /// <param name="values">Levels, frame after frame (taken, not copied).</param>
    /// <param name="bands">Levels per frame.</param>
    public LogMelFrames(float[] values, int bands)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(bands, 1);
        if (values.Length % bands != 0)
            throw new ArgumentException($"expected a whole number of {bands}-band frames, got {values.Length} values", nameof(values));
        this.values = values;
        Bands = bands;
    }

    /// <summary>No frames.</summary>
    public static LogMelFrames Empty(int bands) => new([], bands);

    /// <summary>Levels per frame.</summary>
    public int Bands { get; }

    /// <summary>Frames held.</summary>
    public int Count => values.Length / Bands;

    /// <summary>Every level, frame after frame.</summary>
    public ReadOnlySpan<float> Values => values;

    /// <summary>The levels of frame <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Frame(int index) => values.AsSpan(index * Bands, Bands);

    /// <summary>Every <paramref name="step"/>-th frame from <paramref name="first"/> (a coarser hop from a finer analysis).</summary>
    public LogMelFrames Every(int step, int first = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        var picked = first >= Count ? 0 : ((Count - first - 1) / step) + 1;
        var result = new float[picked * Bands];
        for (var i = 0; i < picked; i++) Frame(first + (i * step)).CopyTo(result.AsSpan(i * Bands, Bands));
        return new LogMelFrames(result, Bands);
    }

    /// <summary>Frames [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    public LogMelFrames Slice(int start, int count) =>
        new(values.AsSpan(start * Bands, count * Bands).ToArray(), Bands);

    /// <summary>The frames of several blocks, in order.</summary>
    public static LogMelFrames Concat(IReadOnlyList<LogMelFrames> blocks, int bands)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var result = new float[blocks.Sum(b => b.values.Length)];
        var at = 0;
        foreach (var block in blocks)
        {
            if (block.Bands != bands) throw new ArgumentException($"expected {bands}-band frames, got {block.Bands}", nameof(blocks));
            block.values.CopyTo(result, at);
            at += block.values.Length;
        }
        return new LogMelFrames(result, bands);
    }

    /// <summary>
    /// The level of a whole frame: 10·log10 of the mean band power, in the same dB as the bands
    /// (white noise of −20 dBFS reads −20 dB).
    /// </summary>
    public static double FrameLevelDb(ReadOnlySpan<float> frame)
    {
        double sum = 0;
        foreach (var level in frame) sum += Math.Pow(10, level / 10.0);
        return 10 * Math.Log10(sum / frame.Length);
    }
}
