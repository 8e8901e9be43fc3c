using System.Diagnostics;
using System.Globalization;
using MusicRnn.Analysis;
using MusicRnn.Audio;
using MusicRnn.Codecs;
using MusicRnn.Generation;
using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Synthesis;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Experiments;

/// <summary>Where a bench run writes and what it runs on; none of it changes the figures except timings.</summary>
public sealed record BenchRunOptions
{
    /// <summary>The results folder: models/, samples/, results.json, table.md, the figures, report.html.</summary>
    public required string OutDirectory { get; init; }

    /// <summary>Keep the models an earlier run of the same grid finished, continue the others from their checkpoints.</summary>
    public bool Resume { get; init; }

    /// <summary>Device every model trains on.</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>The folder of one model: checkpoint/, log.csv, validation.csv, result.json.</summary>
    public string ModelDirectory(string name) => Path.Combine(OutDirectory, ModelsFolder, name);

    /// <summary>Sub-folder of the results folder that holds one folder per model.</summary>
    public const string ModelsFolder = "models";

    /// <summary>File name of a finished model's result inside its folder (a one-model results.json).</summary>
    public const string ResultFile = "result.json";

    /// <summary>File name of the synthesized track when no audio is given.</summary>
    public const string TrackFile = "track.wav";
}

/// <summary>
/// Runs a bench grid (docs/ARCHITECTURE.md, "Experiments"): every model of <see cref="BenchConfig.Cells"/> is trained on
/// the same data with the same settings through <see cref="TrainingSession"/> (so loss, time and
/// checkpoints are measured by one code path for all), generates a short sample through
/// <see cref="GenerationRun"/>, measured against the song's <see cref="MusicalReference"/> (made
/// once per run) and drawn as a spectrogram beside the training excerpt's, and is written to
/// models/&lt;name&gt;/result.json the moment it finishes, so an interrupted run resumes with every finished model kept. Then the whole folder
/// (results.json, table.md, figures, report.html) is written by <see cref="ResultsFolder.WriteAll"/>.
/// </summary>
public static class BenchRunner
{
    /// <summary>Runs the grid and writes the results folder; returns what it wrote into results.json.</summary>
    /// <exception cref="InputException">Bad settings, unreadable audio, or an output folder that holds another run.</exception>
    public static BenchResults Run(BenchConfig config, BenchRunOptions run, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(progress);
        config.Validate();
        using var claim = ClaimOutput(run);
        var audio = AudioFiles(config, run, progress);
        return config.Task == BenchTask.Sequence
            ? SequenceRunner.Run(config, run, audio, progress)
            : RunFrames(config, run, audio, progress);
    }

    /// <summary>
    /// Optimizer updates each model of the frames task makes on songs of <paramref name="frameCounts"/>
    /// codec frames: the same window plan as <see cref="Trainer.IterationsPerEpoch"/>, after the
    /// frame limit and the held-out tail, times the epochs.
    /// </summary>
    public static long UpdatesPerModel(BenchConfig config, IEnumerable<int> frameCounts)
    {
        ArgumentNullException.ThrowIfNull(config);
        long perEpoch = 0;
        foreach (int count in frameCounts)
        {
            int frames = config.Data.MaxFrames is { } max ? Math.Min(count, max) : count;
            int length = TrainingSong.TrainLength(frames, config.Data.ValidateFraction, config.Data.Target.Shift());
            perEpoch += WindowPlan.For(length, config.Training).Steps;
        }
        return perEpoch * config.Training.Epochs;
    }

    private static BenchResults RunFrames(BenchConfig config, BenchRunOptions run, IReadOnlyList<string> audio, IProgressSink progress)
    {
        using var data = TrainingData.Load(config.Data with { Audio = audio }, run.Device, progress, config.Training.Window);
        var cells = config.Cells();
        // A grid of sample-level models shares one "sample tier alone" baseline, trained once like them.
        var sampleTier = config.Model.SampleLevel is { Tiers: > 1 } && cells.Count > 0
            ? new SampleTierBaseline(config.SpecFor(cells[0], data.FeatureCount), config.Training, progress)
            : null;
        var objective = ObjectiveFactory.For(config.Data, config.Model, sampleTier);
        var settings = SettingsOf(config, data, objective);
        var (song, reference) = config.SampleSeconds > 0 ? Reference(config, run, data, progress) : (null, null);
        var models = new List<ModelResult>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            var sink = new ModelProgress(progress, cell.Name, i + 1, cells.Count);
            var model = Kept(config, settings, run, cell, progress)
                ?? TrainFrames(config, settings, run, data, objective, cell, song, sink);
            models.Add(model);
            NoteGridEta(progress, clock, i + 1, cells.Count, model);
        }
        var results = new BenchResults { Preset = config.Preset, Settings = settings, Models = models.Order(ModelOrder.Instance).ToList(), Reference = reference };
        ResultsFolder.WriteAll(results, run.OutDirectory);
        return results;
    }

    /// <summary>Trains one model, generates its sample, and persists its result.</summary>
    private static ModelResult TrainFrames(BenchConfig config, BenchSettings settings, BenchRunOptions run, TrainingData data,
        Objective objective, GridCell cell, MusicalReference? song, IProgressSink progress)
    {
        string directory = run.ModelDirectory(cell.Name);
        var spec = config.SpecFor(cell, data.FeatureCount);
        var training = new RunConfig
        {
            OutDirectory = directory,
            Resume = run.Resume && Directory.Exists(Path.Combine(directory, "checkpoint")),
            Device = run.Device,
        };
        if (training.Resume) progress.Note($"{cell.Name}: resuming from its checkpoint");
        TrainingResult trained;
        try
        {
            trained = TrainingSession.Run(data, objective, spec, config.Training, training, progress, ModelFactory.Create);
        }
        catch (TrainingDivergedException e)
        {
            throw new InputException($"{cell.Name}: {e.Message}", e);
        }

        string? sample = null;
        string? spectrogram = null;
        GenerationMetrics? measured = null;
        var sampleClock = Stopwatch.StartNew();
        if (config.SampleSeconds > 0)
        {
            sample = ResultsFolder.SamplePath(cell.Name);
            var generation = new GenerationConfig
            {
                Model = trained.CheckpointDirectory,
                Output = Path.Combine(run.OutDirectory, sample),
                Seconds = config.SampleSeconds,
                PrimeSeconds = config.PrimeSeconds,
                Seed = config.Training.Seed,
            };
            measured = GenerationRun.Run(generation, run.Device, progress, song);
            // Samples are seconds long (at most BenchConfig's 600 s), so reading one back whole is cheap.
            spectrogram = ResultsFolder.SpectrogramPath(cell.Name);
            SpectrogramImage.Write(Path.Combine(run.OutDirectory, spectrogram), AudioFile.ReadMono(generation.Output, data.Codec.SampleRate),
                data.Codec.SampleRate, $"{cell.Name}: generated", ReportWriter.SpectrogramWidth, ReportWriter.SpectrogramHeight);
        }
        double sampleSeconds = sampleClock.Elapsed.TotalSeconds;

        var logs = ModelLogs.Read(directory);
        var epochSeconds = logs.EpochSeconds();
        var result = new ModelResult
        {
            Name = cell.Name,
            Spec = ModelSummary.From(spec),
            Parameters = ParameterCount(spec),
            EpochSeconds = epochSeconds,
            TotalSeconds = epochSeconds.Sum() + sampleSeconds,
            LossCurve = logs.Iterations.Select(l => new LossPoint(l.Iteration, l.Loss)).ToList(),
            ValidationLoss = logs.EpochEnds.Where(e => e.Loss is not null).Select(e => e.Loss!.Value).ToList(),
            FinalTrainLoss = logs.FinalTrainLoss(),
            FinalValidationLoss = logs.EpochEnds.Count > 0 ? logs.EpochEnds[^1].Loss : null,
            Baselines = logs.Baselines(),
            BelowBaselines = logs.FirstBelowBaselines() is { } first ? new TimeToTarget(first.Seconds, first.Iteration) : null,
            Sample = sample,
            Spectrogram = spectrogram,
            Audio = measured?.Audio,
            Music = measured?.Music,
            Provenance = Provenance(run),
        };
        Persist(config, settings, run, result);
        return result;
    }

    /// <summary>
    /// The song every sample of the run is measured against (<see cref="SongReference"/>: the
    /// training songs split as training split them), its reference points, and the picture of the
    /// training excerpt: the first song's audio from the end of the prime, as long as a sample
    /// (moved back to fit a song too short for both).
    /// </summary>
    private static (MusicalReference Song, BenchReference Result) Reference(BenchConfig config, BenchRunOptions run, TrainingData data, IProgressSink progress)
    {
        int rate = data.Codec.SampleRate;
        int hop = CodecFactory.Create(data.Codec).Hop;
        var songs = data.Records.Select(r => new SongAudio(r.Path, AudioFile.ReadMono(r.Path, rate), r.Frames)).ToList();
        var song = SongReference.Create(songs, hop, data.ValidateFraction, rate, progress);

        var first = songs[0].Samples;
        int length = (int)Math.Min(first.Length, Math.Round(config.SampleSeconds * rate));
        int start = (int)Math.Clamp(Math.Round(config.PrimeSeconds * rate), 0, first.Length - length);
        string excerpt = ResultsFolder.ExcerptPath;
        Directory.CreateDirectory(Path.Combine(run.OutDirectory, ResultsFolder.SamplesFolder));
        SpectrogramImage.Write(Path.Combine(run.OutDirectory, excerpt), first.AsSpan(start, length), rate,
            string.Create(CultureInfo.InvariantCulture, $"training audio from {start / (double)rate:0.##} s"), ReportWriter.SpectrogramWidth, ReportWriter.SpectrogramHeight);
        return (song, new BenchReference
        {
            Points = song.Points,
            Excerpt = excerpt,
            ExcerptStartSeconds = start / (double)rate,
            ExcerptSeconds = length / (double)rate,
        });
    }

    /// <summary>
    /// The trainable parameters the tables show and <see cref="SizeMatch.Params"/> matches on:
    /// every scalar of the model, less the CW-RNN's masked recurrent weights, which are held at zero.
    /// </summary>
    internal static long ParameterCount(ModelSpec spec) => ParameterBudget.CountFree(spec);

    /// <summary>How a figure measured now, in this process, was obtained.</summary>
    internal static RunProvenance Provenance(BenchRunOptions run) =>
        RunProvenance.Capture(run.Device.ToString(), get_num_threads());

    /// <summary>Writes a finished model's result as a one-model results file in its folder.</summary>
    internal static void Persist(BenchConfig config, BenchSettings settings, BenchRunOptions run, ModelResult result) =>
        new BenchResults { Preset = config.Preset, Settings = settings, Models = [result] }
            .Save(Path.Combine(run.ModelDirectory(result.Name), BenchRunOptions.ResultFile));

    /// <summary>
    /// With <c>--resume</c>, the result an earlier run persisted for <paramref name="cell"/>, if it
    /// finished; refused (naming the setting) when that run used other settings.
    /// </summary>
    internal static ModelResult? Kept(BenchConfig config, BenchSettings settings, BenchRunOptions run, GridCell cell, IProgressSink progress)
    {
        string path = Path.Combine(run.ModelDirectory(cell.Name), BenchRunOptions.ResultFile);
        if (!run.Resume || !File.Exists(path)) return null;
        var saved = BenchResults.Load(path);
        var asked = new BenchResults { Preset = config.Preset, Settings = settings, Models = [], Source = "this run" };
        BenchResults.Merge([asked, saved]);
        if (saved.Models.Count != 1 || saved.Models[0].Name != cell.Name)
            throw InputException.ForFile(path, $"expected the result of model {cell.Name} alone");
        progress.Note($"{cell.Name}: kept from the earlier run");
        return saved.Models[0];
    }

    /// <summary>
    /// The settings every model shares, as results.json records them and <c>report</c> compares
    /// them: derived from the grid's data, training and model settings and the objective.
    /// </summary>
    private static BenchSettings SettingsOf(BenchConfig config, TrainingData data, Objective objective)
    {
        var c = CultureInfo.InvariantCulture;
        var extra = new Dictionary<string, string>
        {
            ["audio sha256"] = string.Join(" ", data.Records.Select(r => r.Sha256[..16])),
            ["frames"] = string.Join(" ", data.Records.Select(r => r.Frames.ToString(c))),
            ["normalize"] = Normalizer.NameOf(config.Data.Normalize),
            ["validate"] = config.Data.ValidateFraction.ToString("R", c),
            ["clip"] = config.Training.Clip.ToString("R", c),
            ["state"] = config.Training.State.ToString().ToLowerInvariant(),
            ["size"] = SizeOf(config),
            ["sample seconds"] = config.SampleSeconds.ToString("R", c),
        };
        if (config.Data.MaxFrames is { } max) extra["max frames"] = max.ToString(c);
        if (data.Codec.Hop is { } hop) extra["hop"] = hop.ToString(c);
        if (data.Codec.MelBands is { } bands) extra["mel bands"] = bands.ToString(c);
        if (data.Codec.PhaseIterations is { } iterations) extra["phase iterations"] = iterations.ToString(c);
        if (config.Training.WeightDecay > 0) extra["weight decay"] = config.Training.WeightDecay.ToString("R", c);
        if (config.Training.Optimizer == OptimizerKind.Sgd)
            extra["momentum"] = config.Training.Momentum.ToString("R", c) + (config.Training.Nesterov ? " nesterov" : "");
        return new BenchSettings
        {
            Audio = string.Join(", ", data.Records.Select(r => Path.GetFileName(r.Path))),
            Codec = data.Codec.Name,
            FrameSize = data.Codec.FrameLength,
            SampleRate = data.Codec.SampleRate,
            Window = config.Training.Window,
            Stride = config.Training.Stride,
            Batch = config.Training.Batch,
            Epochs = config.Training.Epochs,
            Optimizer = config.Training.Optimizer.ToString().ToLowerInvariant(),
            LearningRate = config.Training.LearningRate,
            Objective = config.Data.Target.ToString().ToLowerInvariant(),
            LossMetric = objective.Name,
            LossUnit = objective.Unit,
            Baselines = [.. objective.Baselines.Select(b => new BaselineRule(b.Name, b.Rule))],
            Seed = config.Training.Seed,
            Extra = extra,
        };
    }

    /// <summary>How the grid's models are sized, as one setting: "hidden 128", "params 12345", "params of lstm with 128 hidden".</summary>
    internal static string SizeOf(BenchConfig config)
    {
        var c = CultureInfo.InvariantCulture;
        string modules = config.Archs.Contains(Architecture.CwRnn) ? $", {config.Model.Modules} cwrnn modules" : "";
        if (config.Budgets.Count > 0) return $"params {string.Join(" ", config.Budgets.Select(b => b.ToString(c)))}{modules}";
        return config.Match switch
        {
            SizeMatch.Params when config.ParameterBudget is { } p => $"params {p.ToString(c)}{modules}",
            SizeMatch.Params => $"params of an lstm with {config.Model.HiddenSize.ToString(c)} hidden{modules}",
            _ => $"hidden {config.Model.HiddenSize.ToString(c)}{modules}",
        };
    }

    /// <summary>
    /// Claims the output folder for this process (<see cref="OutputLock"/>: a second bench or a
    /// train into it is refused while this one runs), then refuses, for a fresh run, a folder that
    /// already holds a bench run (it would mix two grids); <c>--resume</c> is how to continue one.
    /// The claim comes first, so a second run is told the folder is busy rather than what the first
    /// has written so far.
    /// </summary>
    private static OutputLock ClaimOutput(BenchRunOptions run)
    {
        if (string.IsNullOrWhiteSpace(run.OutDirectory)) throw InputException.ForOption("--out", "expected a folder path, got nothing");
        if (File.Exists(run.OutDirectory)) throw InputException.ForOption("--out", $"expected a folder, but {run.OutDirectory} is a file");
        var claim = OutputLock.Acquire(run.OutDirectory);
        bool used = Directory.Exists(Path.Combine(run.OutDirectory, BenchRunOptions.ModelsFolder))
            || File.Exists(Path.Combine(run.OutDirectory, BenchResults.FileName));
        if (used && !run.Resume)
        {
            claim.Dispose();
            throw InputException.ForOption("--out", $"{run.OutDirectory} already holds a bench run; pass --resume to continue it or choose another folder");
        }
        return claim;
    }

    /// <summary>
    /// The songs to train on: the given files and folders, or the built-in track synthesized into
    /// the output folder (seeded by the grid's seed, so one seed means one song).
    /// </summary>
    private static IReadOnlyList<string> AudioFiles(BenchConfig config, BenchRunOptions run, IProgressSink progress)
    {
        if (config.Data.Audio.Count > 0) return config.Data.Audio;
        string path = Path.Combine(run.OutDirectory, BenchRunOptions.TrackFile);
        var spec = new TrackSpec
        {
            Seconds = config.TrackSeconds,
            Seed = (int)(config.Training.Seed % int.MaxValue),
            SampleRate = config.Data.Codec.SampleRate is >= 8000 and <= 192000 ? config.Data.Codec.SampleRate : CodecFactory.DefaultSampleRate,
        };
        spec.Validate();
        progress.Note(string.Create(CultureInfo.InvariantCulture, $"synthesizing {spec.Seconds:0.##} s of the built-in track (seed {spec.Seed}) into {path}"));
        AudioFile.WriteWav(path, TrackSynthesizer.Render(spec), spec.SampleRate, SampleFormat.S16);
        return [path];
    }

    /// <summary>After each model: how long the grid has taken, and a rough time left at the mean pace so far.</summary>
    internal static void NoteGridEta(IProgressSink progress, Stopwatch clock, int done, int total, ModelResult model)
    {
        double elapsed = clock.Elapsed.TotalSeconds;
        double left = done >= total ? 0 : elapsed / done * (total - done);
        var c = CultureInfo.InvariantCulture;
        string grid = done < total
            ? string.Create(c, $"grid {elapsed:F0} s so far, about {left:F0} s left")
            : string.Create(c, $"grid done in {elapsed:F0} s");
        string target = model.Baselines.Count == 0 ? ""
            : model.BelowBaselines is { } t ? string.Create(c, $", below every baseline after {t.Seconds:F1} s (iteration {t.Iteration})")
            : ", NEVER below every baseline";
        progress.Note(string.Create(c,
            $"[{done}/{total}] {model.Name}: {model.Parameters:N0} parameters, final train loss {ResultsTables.Loss(model.FinalTrainLoss)}, {model.TrainSeconds:F1} s of training{target}; {grid}"));
    }

    /// <summary>Passes progress on with the model's name and place in the grid in front, so the bar says which model it is.</summary>
    internal sealed class ModelProgress(IProgressSink inner, string name, int index, int count) : IProgressSink
    {
        private readonly string _prefix = $"[{index}/{count}] {name}";

        public void Begin(string task, long total) => inner.Begin($"{_prefix} {task}", total);

        public void Report(long done, string? status = null) => inner.Report(done, status);

        public void Note(string message) => inner.Note($"{_prefix}: {message}");

        public void Complete() => inner.Complete();
    }
}
