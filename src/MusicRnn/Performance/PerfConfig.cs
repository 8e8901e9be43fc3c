using MusicRnn.Codecs;

namespace MusicRnn.Performance;

/// <summary>What <c>musicrnn perf</c> measures; every list is crossed with every other.</summary>
public sealed record PerfConfig
{
    /// <summary>Architectures to time (names of <see cref="PerfVariant"/>); libtorch references are added by <see cref="LibtorchReferences"/>.</summary>
    public IReadOnlyList<string> Archs { get; init; } = [.. PerfVariant.Architectures.Select(v => v.Name)];

    /// <summary>Time the cells' forward + backward per window (<c>--no-cells</c> turns it off, e.g. for only the sample-level rows).</summary>
    public bool Cells { get; init; } = true;

    /// <summary>Also time libtorch's fused kernels, the yardstick of the custom cells.</summary>
    public bool LibtorchReferences { get; init; } = true;

    /// <summary>Hidden sizes; input = output = hidden, as in the essay's code.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [1024, 2048];

    /// <summary>Window lengths (steps of truncated BPTT).</summary>
    public IReadOnlyList<int> Window { get; init; } = [100, 200];

    /// <summary>Batch sizes (parallel sequences).</summary>
    public IReadOnlyList<int> Batch { get; init; } = [1, 16];

    /// <summary>Untimed runs per measurement before the timed ones.</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>Timed runs per measurement; median and best are reported. Runs of different architectures are interleaved.</summary>
    public int Repeats { get; init; } = 5;

    /// <summary>Side of the square float32 matmul that measures the machine's rate.</summary>
    public int MatmulSize { get; init; } = 2048;

    /// <summary>Time the essay-code training update (1, 2, 3 layers at 1024) and estimate the essay's Table 1.</summary>
    public bool EssayCode { get; init; } = true;

    /// <summary>Frames of free-running generation to time (0 = skip).</summary>
    public int GenerationFrames { get; init; } = 400;

    /// <summary>Seconds of audio per stream each timed sample-level generation run makes (0 = skip).</summary>
    public double SampleSeconds { get; init; } = 2;

    /// <summary>Streams of the second sample-level generation row (the first has one).</summary>
    public int SampleStreams { get; init; } = 4;

    /// <summary>Timed training updates of the default sample-level model per frame tier (0 = skip), after <see cref="Warmup"/> untimed ones.</summary>
    public int SampleTrainingUpdates { get; init; } = 5;

    /// <summary>Streams of each timed sample-level training update: the default training batch.</summary>
    public int SampleTrainingStreams { get; init; } = Training.SampleLevelDefaults.Training.Batch;

    /// <summary>Samples per stream of each timed sample-level training update: the default window.</summary>
    public int SampleTrainingWindow { get; init; } = Training.SampleLevelDefaults.Training.Window;

    /// <summary>Seconds of audio each timed Griffin-Lim decode rebuilds (0 = skip).</summary>
    public double GriffinLimSeconds { get; init; } = 20;

    /// <summary>The phase-rebuilding codecs whose Griffin-Lim decode is timed: stft and mel at the default sizes.</summary>
    public IReadOnlyList<CodecSettings> GriffinLim { get; init; } = DefaultGriffinLim;

    /// <summary>
    /// stft and mel at the frame, hop and rate <c>train</c> uses by default when it is a spectral
    /// codec's (else at 1024 samples, hop 256), with their default bands and iterations.
    /// </summary>
    public static IReadOnlyList<CodecSettings> DefaultGriffinLim { get; } = SpectralDefaults();

    private static CodecSettings[] SpectralDefaults()
    {
        var codec = new Training.DataConfig { Audio = [] }.Codec;
        var spectral = codec.Name is "stft" or "mel"
            ? new CodecSettings("stft", codec.FrameLength, codec.SampleRate) { Hop = codec.Hop }
            : new CodecSettings("stft", 1024, codec.SampleRate);
        return [spectral, spectral with { Name = "mel" }];
    }

    /// <summary>CPU threads in use (reported, set by the caller).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Throws an <see cref="InputException"/> naming the first bad option.</summary>
    public void Validate()
    {
        foreach (var a in Archs) PerfVariant.Parse(a);
        if (Archs.Count == 0) throw InputException.ForOption("--archs", "expected at least one architecture");
        Check("--hidden", Hidden, 16, 16384);
        Check("--window", Window, 2, 100_000);
        Check("--batch", Batch, 1, 4096);
        if (Hidden.Any(h => h % PerfVariant.ClockworkModules != 0) && Archs.Any(a => a.StartsWith("cwrnn", StringComparison.OrdinalIgnoreCase)))
            throw InputException.ForOption("--hidden", $"the CW-RNN is timed with {PerfVariant.ClockworkModules} modules, so every hidden size must be a multiple of {PerfVariant.ClockworkModules}");
        if (Warmup < 0) throw InputException.ForOption("--warmup", $"expected 0 or more runs, got {Warmup}");
        if (Repeats < 1) throw InputException.ForOption("--repeats", $"expected at least 1 run, got {Repeats}");
        if (MatmulSize is < 64 or > 16384) throw InputException.ForOption("--matmul", $"expected 64 to 16384, got {MatmulSize}");
        if (!double.IsFinite(SampleSeconds) || SampleSeconds < 0 || SampleSeconds > 3600)
            throw InputException.ForOption("--samples", $"expected 0 to 3600 seconds of audio, got {SampleSeconds}");
        if (SampleStreams is < 1 or > 256)
            throw InputException.ForOption("--sample-streams", $"expected 1 to 256 streams, got {SampleStreams}");
        if (SampleTrainingUpdates is < 0 or > 10_000)
            throw InputException.ForOption("--sample-training", $"expected 0 to 10000 timed updates, got {SampleTrainingUpdates}");
        if (SampleTrainingStreams is < 1 or > 4096)
            throw InputException.ForOption("--sample-batch", $"expected 1 to 4096 streams, got {SampleTrainingStreams}");
        if (SampleTrainingWindow is < 1 or > 1_000_000)
            throw InputException.ForOption("--sample-window", $"expected 1 to 1000000 samples per stream, got {SampleTrainingWindow}");
        if (!double.IsFinite(GriffinLimSeconds) || GriffinLimSeconds < 0 || GriffinLimSeconds > 3600)
            throw InputException.ForOption("--griffin-lim", $"expected 0 to 3600 seconds of audio, got {GriffinLimSeconds}");
        foreach (var codec in GriffinLim)
        {
            if (codec.Name is not ("stft" or "mel"))
                throw InputException.ForOption("--codec", $"only stft and mel rebuild phase with Griffin-Lim, not {codec.Name}");
            codec.Validate();
        }
        if (GenerationFrames < 0) throw InputException.ForOption("--generate", $"expected 0 or more frames, got {GenerationFrames}");
    }

    private static void Check(string option, IReadOnlyList<int> values, int min, int max)
    {
        if (values.Count == 0) throw InputException.ForOption(option, "expected at least one value");
        foreach (var v in values)
            if (v < min || v > max) throw InputException.ForOption(option, $"expected values from {min} to {max}, got {v}");
    }
}
