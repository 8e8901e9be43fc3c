using System.Text.Json;
using System.Text.Json.Serialization;

namespace MusicRnn.Performance;

/// <summary>Everything one <c>musicrnn perf</c> run measured, as saved in perf.json.</summary>
public sealed record PerfResults
{
    /// <summary>The file name of the JSON results.</summary>
    public const string FileName = "perf.json";

    /// <summary>When the run started (UTC, ISO 8601).</summary>
    public required string Started { get; init; }

    /// <summary>CPU threads libtorch used.</summary>
    public required int Threads { get; init; }

    /// <summary>Logical processors of the machine (it may be shared: see <see cref="LoadAverage"/>).</summary>
    public required int ProcessorCount { get; init; }

    /// <summary>The 1-minute load average at the start, where the OS tells it (Linux); null elsewhere.</summary>
    public double? LoadAverage { get; init; }

    /// <summary>The machine's own matmul rate, measured in the same run.</summary>
    public required MatmulRate Matmul { get; init; }

    /// <summary>Forward + backward of one window, per architecture and size.</summary>
    public required IReadOnlyList<CellTiming> Cells { get; init; }

    /// <summary>The essay-code training update per architecture and depth, against the essay's Table 1; empty when not asked for.</summary>
    public required IReadOnlyList<EssayRow> Essay { get; init; }

    /// <summary>Free-running generation speed, frame by frame through forward and on the folded loop; empty when not asked for.</summary>
    public required IReadOnlyList<GenerationSpeed> Generation { get; init; }

    /// <summary>Griffin-Lim decoding speed of the phase-rebuilding codecs; empty when not asked for (and in perf.json files written before it was measured).</summary>
    public IReadOnlyList<GriffinLimSpeed> GriffinLim { get; init; } = [];

    /// <summary>Sample-level free-running generation speed per frame-tier architecture and stream count; empty when not asked for (and in older perf.json files).</summary>
    public IReadOnlyList<SampleGenerationSpeed> SampleGeneration { get; init; } = [];

    /// <summary>Sample-level training speed per frame-tier architecture; empty when not asked for (and in older perf.json files).</summary>
    public IReadOnlyList<SampleTrainingSpeed> SampleTraining { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the results as indented camelCase JSON.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Reads results written by <see cref="Save"/>.</summary>
    public static PerfResults Load(string path) =>
        JsonSerializer.Deserialize<PerfResults>(File.ReadAllText(path), Json)
        ?? throw InputException.ForFile(path, "not a perf.json file");
}

/// <summary>A timed operation's runs, in milliseconds.</summary>
/// <param name="Runs">Every timed run, in the order taken.</param>
public sealed record Timing(IReadOnlyList<double> Runs)
{
    /// <summary>Median of the runs.</summary>
    public double Median
    {
        get
        {
            var sorted = Runs.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }

    /// <summary>The fastest run: on a shared machine the run least disturbed by others.</summary>
    public double Best => Runs.Min();
}

/// <summary>The machine's float32 matmul rate from an n × n by n × n product.</summary>
/// <param name="Size">n.</param>
/// <param name="Milliseconds">Time per product.</param>
/// <param name="GflopsBest">2n³ / best time.</param>
/// <param name="GflopsMedian">2n³ / median time.</param>
public sealed record MatmulRate(int Size, Timing Milliseconds, double GflopsBest, double GflopsMedian);

/// <summary>Forward + backward of one window of one architecture at one size.</summary>
/// <param name="Name">Variant name (see <see cref="PerfVariant"/>).</param>
/// <param name="Hidden">Input = output = hidden units.</param>
/// <param name="Window">Steps per window.</param>
/// <param name="Batch">Parallel sequences.</param>
/// <param name="Milliseconds">Timed runs.</param>
/// <param name="Gflop">Analytic work of one run (<see cref="FlopCount.ForwardBackwardFlops"/>), 1e9 FLOP.</param>
/// <param name="GflopsBest">Gflop / best time.</param>
/// <param name="FractionOfMatmul">GflopsBest / the matmul rate's best.</param>
public sealed record CellTiming(string Name, int Hidden, int Window, int Batch, Timing Milliseconds, double Gflop, double GflopsBest, double FractionOfMatmul);

/// <summary>One row of the essay's Table 1 against the same workload here.</summary>
/// <param name="Arch">rnn, lstm, gru or cwrnn (as the essay-code preset builds them).</param>
/// <param name="Layers">Depth.</param>
/// <param name="MillisecondsPerUpdate">One training update: forward, loss, backward, gradient norm and clip, Adagrad step, carry advance.</param>
/// <param name="EstimatedSeconds">Best update time × 1025 updates (5 epochs of 205).</param>
/// <param name="EssaySeconds">The essay's time for 5 epochs on its GTX 960M.</param>
public sealed record EssayRow(string Arch, int Layers, Timing MillisecondsPerUpdate, double EstimatedSeconds, double EssaySeconds);

/// <summary>Free-running generation: each predicted frame is the next input, one step at a time.</summary>
/// <param name="Model">What was timed.</param>
/// <param name="Frames">Frames generated per run.</param>
/// <param name="Milliseconds">Timed runs (each of <paramref name="Frames"/> frames).</param>
/// <param name="FramesPerSecond">Frames / best time.</param>
/// <param name="RealTimeFramesPerSecond">Frames of audio per second of sound (22050 Hz / 1024 samples).</param>
/// <param name="TimesRealTime">FramesPerSecond / RealTimeFramesPerSecond.</param>
public sealed record GenerationSpeed(string Model, int Frames, Timing Milliseconds, double FramesPerSecond, double RealTimeFramesPerSecond, double TimesRealTime);
