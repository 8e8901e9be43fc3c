using System.Diagnostics;
using System.Globalization;
using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;
using TorchSharp;
using static TorchSharp.torch;
using Generator = MusicRnn.Generation.Generator;

namespace MusicRnn.Performance;

/// <summary>
/// Times the models the way training and generation use them, and the machine's own matmul
/// rate in the same run, so every figure can be read as a fraction of what the cores can do.
/// </summary>
/// <remarks>
/// The machine may be shared, so runs of different architectures are interleaved (a burst of
/// someone else's load hits all of them alike) and both the median and the best run are kept;
/// rates and ratios use the best run, the one least disturbed.
/// </remarks>
public static class PerfRunner
{
    /// <summary>Updates of the essay-code workload: 5 epochs of 205 windows (docs/ARCHITECTURE.md, "Experiments").</summary>
    public const int EssayUpdates = 1025;

    /// <summary>Size of the essay-code workload: input = hidden = 1024.</summary>
    public const int EssaySize = 1024;

    /// <summary>Window of the essay-code workload.</summary>
    public const int EssayWindow = 100;

    /// <summary>Stride of the essay-code workload: each update also advances the carried state this far.</summary>
    public const int EssayStride = 5;

    /// <summary>Frames per second of sound at the rfft frame of 1024 samples and 22050 Hz.</summary>
    public const double RealTimeFramesPerSecond = 22050.0 / 1024;

    /// <summary>Runs every measurement <paramref name="config"/> asks for, on <paramref name="device"/>.</summary>
    public static PerfResults Run(PerfConfig config, Device device, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(progress);
        config.Validate();
        var started = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture);
        var load = LoadAverage();
        manual_seed(0);

        // The matmul is timed before the cells and again once in every round of theirs, so its
        // best run comes from the same stretch of machine load as theirs.
        using var matmulWork = new MatmulWork(config.MatmulSize, device);
        var matmulRuns = new List<double>();
        progress.Begin($"matmul {config.MatmulSize}×{config.MatmulSize}", config.Warmup + config.Repeats);
        for (var r = 0; r < config.Warmup + config.Repeats; r++)
        {
            var ms = matmulWork.Time();
            if (r >= config.Warmup) matmulRuns.Add(ms);
            progress.Report(r + 1);
        }
        progress.Complete();
        var raw = config.Cells ? MeasureCells(config, device, matmulWork, matmulRuns, progress) : [];
        var matmul = Rate(config.MatmulSize, matmulRuns);
        var cells = raw.Select(c => c with { FractionOfMatmul = c.GflopsBest / matmul.GflopsBest }).ToList();
        var essay = config.EssayCode ? MeasureEssay(config, device, progress) : [];
        var generation = config.GenerationFrames > 0 ? MeasureGeneration(config, device, progress) : [];
        var griffinLim = config.GriffinLimSeconds > 0 ? MeasureGriffinLim(config, progress) : [];
        var samples = config.SampleSeconds > 0 ? MeasureSampleGeneration(config, progress) : [];
        var sampleTraining = config.SampleTrainingUpdates > 0
            ? SampleTrainingSpeed.Measure([.. Architectures.Recurrent.Select(a => a.Arch)], config.SampleTrainingStreams, config.SampleTrainingWindow, config.Warmup, config.SampleTrainingUpdates, device, progress)
            : [];
        return new PerfResults
        {
            Started = started,
            Threads = get_num_threads(),
            ProcessorCount = Environment.ProcessorCount,
            LoadAverage = load,
            Matmul = matmul,
            Cells = cells,
            Essay = essay,
            Generation = generation,
            GriffinLim = griffinLim,
            SampleGeneration = samples,
            SampleTraining = sampleTraining,
        };
    }

    /// <summary>The machine's float32 matmul rate from timed n × n products: 2n³ FLOP each.</summary>
    public static MatmulRate Rate(int n, IReadOnlyList<double> milliseconds)
    {
        var timing = new Timing(milliseconds);
        var flops = FlopCount.SquareMatmulFlops(n);
        return new MatmulRate(n, timing, flops / timing.Best / 1e6, flops / timing.Median / 1e6);
    }

    /// <summary>Two random n × n float32 matrices whose product is timed.</summary>
    private sealed class MatmulWork : IDisposable
    {
        private readonly Tensor a;
        private readonly Tensor b;
        private readonly Device device;

        public MatmulWork(int n, Device device)
        {
            this.device = device;
            a = randn(n, n, device: device).DetachFromDisposeScope();
            b = randn(n, n, device: device).DetachFromDisposeScope();
        }

        /// <summary>Milliseconds of one product.</summary>
        public double Time() => PerfRunner.Time(device, () => a.mm(b).Dispose());

        public void Dispose()
        {
            a.Dispose();
            b.Dispose();
        }
    }

    /// <summary>Cell timings, with <see cref="CellTiming.FractionOfMatmul"/> left at 0 for the caller to fill in.</summary>
    private static List<CellTiming> MeasureCells(PerfConfig config, Device device, MatmulWork matmul, List<double> matmulRuns, IProgressSink progress)
    {
        var variants = config.Archs.Select(PerfVariant.Parse).ToList();
        if (config.LibtorchReferences)
            variants.AddRange(PerfVariant.LibtorchReferences.Where(r => !variants.Contains(r)));
        var sizes = (from h in config.Hidden from w in config.Window from b in config.Batch select (h, w, b)).ToList();
        var results = new List<CellTiming>();
        progress.Begin("forward + backward per window", (long)sizes.Count * variants.Count * (config.Warmup + config.Repeats));
        long done = 0;
        foreach (var (hidden, window, batch) in sizes)
        {
            var models = variants.Select(v => Build(v, hidden, 1, device)).ToList();
            try
            {
                using var input = randn(window, batch, hidden, device: device);
                var runs = variants.Select(_ => new List<double>()).ToList();
                for (var r = 0; r < config.Warmup + config.Repeats; r++)
                {
                    // Interleaved: one run of every architecture and of the matmul, then the next round.
                    var matmulMs = matmul.Time();
                    if (r >= config.Warmup) matmulRuns.Add(matmulMs);
                    for (var v = 0; v < variants.Count; v++)
                    {
                        var ms = ForwardBackward(models[v], input, device);
                        if (r >= config.Warmup) runs[v].Add(ms);
                        progress.Report(++done, $"{variants[v].Name} h{hidden} T{window} B{batch}");
                    }
                }
                for (var v = 0; v < variants.Count; v++)
                {
                    var timing = new Timing(runs[v]);
                    var gflop = FlopCount.ForwardBackwardFlops(models[v].Spec, window, batch) / 1e9;
                    var rate = gflop / (timing.Best / 1e3);
                    results.Add(new CellTiming(variants[v].Name, hidden, window, batch, timing, gflop, rate, 0));
                }
            }
            finally
            {
                foreach (var m in models) m.Dispose();
            }
        }
        progress.Complete();
        return results;
    }

    /// <summary>
    /// The essay-code training update, timed as the trainer runs it (forward, MSE, backward,
    /// gradient norm and clip at 1, Adagrad at lr 0.001, carry advance by the stride), for the
    /// four architectures of Table 1 at 1, 2 and 3 layers, rounds interleaved across the 12 rows.
    /// </summary>
    private static List<EssayRow> MeasureEssay(PerfConfig config, Device device, IProgressSink progress)
    {
        // The essay-code preset builds each architecture with its spec defaults (peepholes,
        // Cho's GRU, 8 CW-RNN modules); the rows in the order of the essay's Table 1.
        var rows = (from arch in new[] { Architecture.Gru, Architecture.CwRnn, Architecture.Lstm, Architecture.Rnn }
                    from layers in new[] { 1, 2, 3 }
                    select (Arch: Architectures.Of(arch), Layers: layers)).ToList();
        var runs = rows.Select(_ => new List<double>()).ToList();
        var workers = new List<EssayUpdate>();
        progress.Begin("essay-code training updates", (long)rows.Count * (config.Warmup + config.Repeats));
        long done = 0;
        try
        {
            foreach (var (arch, layers) in rows)
                workers.Add(new EssayUpdate(new ModelSpec { Arch = arch.Arch, InputSize = EssaySize, OutputSize = EssaySize, HiddenSize = EssaySize, Layers = layers }, device));
            for (var r = 0; r < config.Warmup + config.Repeats; r++)
                for (var i = 0; i < rows.Count; i++)
                {
                    var ms = workers[i].Step();
                    if (r >= config.Warmup) runs[i].Add(ms);
                    progress.Report(++done, $"{rows[i].Arch.Name} ×{rows[i].Layers}");
                }
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
        progress.Complete();
        return [.. rows.Select((row, i) =>
        {
            var timing = new Timing(runs[i]);
            return new EssayRow(row.Arch.Name, row.Layers, timing, timing.Best * EssayUpdates / 1e3, row.Arch.EssaySeconds![row.Layers - 1]);
        })];
    }

    /// <summary>
    /// Free-running generation of a 1-layer peephole LSTM at 1024, each prediction the next
    /// input, run as <c>musicrnn generate</c> runs it (<see cref="Generator.FreeRun"/> from
    /// silence, in chunks, the fold prepared once per run) but with the frames thrown away: frame
    /// by frame through <see cref="FrameModel.forward"/>, and on <see cref="Generation.FreeRunningLstm"/>,
    /// which folds the feedback into the recurrence. Runs of the two are interleaved.
    /// </summary>
    private static List<GenerationSpeed> MeasureGeneration(PerfConfig config, Device device, IProgressSink progress)
    {
        var spec = new ModelSpec { Arch = Architecture.Lstm, InputSize = EssaySize, OutputSize = EssaySize, HiddenSize = EssaySize, Layers = 1 };
        using var model = ModelFactory.Create(spec);
        model.to(device);
        model.eval();
        // The same weights on the window kernel, which generation runs frame by frame.
        using var frameByFrame = ModelFactory.Create(spec, Kernel.Window);
        frameByFrame.to(device);
        frameByFrame.load_state_dict(model.state_dict());
        frameByFrame.eval();
        var frames = config.GenerationFrames;
        var ways = new (string Name, Generator Generator)[]
        {
            ("lstm-peepholes, 1 layer, 1024: forward frame by frame (Generator, fold off)", new Generator(frameByFrame, Frames)),
            ("lstm-peepholes, 1 layer, 1024: folded loop (Generator on FreeRunningLstm)", new Generator(model, Frames)),
        };
        var runs = ways.Select(_ => new List<double>()).ToList();
        progress.Begin("free-running generation", (long)ways.Length * (config.Warmup + config.Repeats));
        long done = 0;
        using var silence = zeros(0, spec.InputSize);
        for (var r = 0; r < config.Warmup + config.Repeats; r++)
            for (var w = 0; w < ways.Length; w++)
            {
                var way = ways[w];
                var ms = Time(device, () => way.Generator.FreeRun(silence, frames, new Feedback(), seed: 0, sink: _ => { }));
                if (r >= config.Warmup) runs[w].Add(ms);
                progress.Report(++done, way.Name);
            }
        progress.Complete();
        return [.. ways.Select((way, w) =>
        {
            var timing = new Timing(runs[w]);
            var fps = frames / (timing.Best / 1e3);
            return new GenerationSpeed(way.Name, frames, timing, fps, RealTimeFramesPerSecond, fps / RealTimeFramesPerSecond);
        })];
    }

    /// <summary>
    /// Griffin-Lim decoding of each codec of <see cref="PerfConfig.GriffinLim"/>, as <c>generate</c>
    /// decodes (on the CPU, where the codecs run, whatever the models' device).
    /// </summary>
    private static List<GriffinLimSpeed> MeasureGriffinLim(PerfConfig config, IProgressSink progress)
    {
        var speeds = new List<GriffinLimSpeed>();
        progress.Begin("Griffin-Lim decoding", config.GriffinLim.Count);
        foreach (var codec in config.GriffinLim)
        {
            speeds.Add(GriffinLimSpeed.Measure(codec, config.GriffinLimSeconds, config.Repeats));
            progress.Report(speeds.Count, codec.Name);
        }
        progress.Complete();
        return speeds;
    }

    /// <summary>
    /// Free-running generation of the default sample-level model with each of the four recurrent
    /// architectures as its frame tier (its default variant), one stream and <see cref="PerfConfig.SampleStreams"/> streams, on the CPU
    /// (where the sampler runs).
    /// </summary>
    private static List<SampleGenerationSpeed> MeasureSampleGeneration(PerfConfig config, IProgressSink progress)
    {
        var archs = Architectures.Recurrent.Select(a => a.Arch).ToList();
        var streams = config.SampleStreams > 1 ? new[] { 1, config.SampleStreams } : [1];
        var speeds = new List<SampleGenerationSpeed>();
        progress.Begin("sample-level generation", archs.Count * streams.Length);
        foreach (var arch in archs)
            foreach (int count in streams)
            {
                speeds.Add(SampleGenerationSpeed.Measure(arch, count, config.SampleSeconds, config.Repeats));
                progress.Report(speeds.Count, $"{Architectures.NameOf(arch)} × {count}");
            }
        progress.Complete();
        return speeds;
    }

    private static FrameModel Build(PerfVariant variant, int size, int layers, Device device)
    {
        var model = variant.Build(size, layers);
        model.to(device);
        return model;
    }

    private static double ForwardBackward(FrameModel model, Tensor input, Device device)
    {
        model.zero_grad();
        using var work = TensorWork.Begin();
        return Time(device, () =>
        {
            using var two = 2.ToScalar();
            var (output, _) = model.forward(input, null);
            output.pow(two).mean().backward();
        });
    }

    /// <summary>The objective of the timed generation: frames fed back as predicted.</summary>
    private static Objective Frames { get; } = new FrameRegression(Target.Next);

    /// <summary>Milliseconds <paramref name="work"/> takes, synchronised on CUDA so queued kernels count.</summary>
    internal static double Time(Device device, Action work)
    {
        var clock = Stopwatch.StartNew();
        work();
        if (device.type == DeviceType.CUDA) cuda.synchronize();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double? LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg")
                ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
