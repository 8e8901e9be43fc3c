using System.Diagnostics;
using System.Globalization;
using MusicRnn.Audio;
using MusicRnn.Checkpoints;
using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Experiments;

/// <summary>
/// Koutník et al.'s sequence generation task (2014, §4.1), the <c>koutnik</c> preset: the network
/// gets a constant 1 as input at every step and must output a short excerpt of music, one sample
/// per step, scaled to [-1, 1]. The single sequence is trained by full BPTT over all its steps,
/// one update per epoch, and the figure is the normalized MSE (<see cref="NormalizedSquaredError"/>:
/// MSE divided by the target's variance, 1 being what the best constant output scores).
/// <para>
/// Why not <see cref="TrainingSession"/>: its trainer reads inputs and targets from one frame
/// sequence (the target is the input, or the next input), and here the input is a constant
/// while the target is audio. The loop below steps through the trainer's own
/// <see cref="TrainingStep"/> without the windowing: the same models (<see cref="ModelFactory"/>),
/// optimizers, clipping, divergence check and seeding, and every model is timed the same way
/// (update steps only). The models are small and train in seconds, so there are no per-epoch
/// checkpoints: <c>--resume</c> keeps the finished models
/// and retrains the rest from scratch, which gives the same figures.
/// </para>
/// </summary>
internal static class SequenceRunner
{
    public static BenchResults Run(BenchConfig config, BenchRunOptions run, IReadOnlyList<string> audio, IProgressSink progress)
    {
        var files = (config.Data with { Audio = audio }).ResolveFiles();
        float[] excerpt = Excerpt(files[0], config, out int start);
        double mean = excerpt.Average(x => (double)x);
        double variance = excerpt.Average(x => (x - mean) * (x - mean));
        if (variance <= 0) throw InputException.ForFile(files[0], $"the {config.ExcerptSamples}-sample excerpt at sample {start} is constant; pick another --excerpt-start");
        var objective = new NormalizedSquaredError(variance);

        var settings = SettingsOf(config, files[0], start, objective);
        var cells = config.Cells();
        var models = new List<ModelResult>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            var sink = new BenchRunner.ModelProgress(progress, cell.Name, i + 1, cells.Count);
            var model = BenchRunner.Kept(config, settings, run, cell, progress)
                ?? Train(config, settings, run, cell, excerpt, objective, sink);
            models.Add(model);
            BenchRunner.NoteGridEta(progress, clock, i + 1, cells.Count, model);
        }
        var results = new BenchResults { Preset = config.Preset, Settings = settings, Models = models.Order(ModelOrder.Instance).ToList() };
        ResultsFolder.WriteAll(results, run.OutDirectory);
        return results;
    }

    /// <summary>
    /// The target: <see cref="BenchConfig.ExcerptSamples"/> samples from <see cref="BenchConfig.ExcerptStart"/>
    /// seconds in (earlier if the song is too short), divided by their peak so they span [-1, 1].
    /// </summary>
    private static float[] Excerpt(string file, BenchConfig config, out int start)
    {
        int rate = config.Data.Codec.SampleRate;
        float[] song = AudioFile.ReadMono(file, rate);
        int n = config.ExcerptSamples;
        if (song.Length < n) throw InputException.ForFile(file, $"has {song.Length} samples at {rate} Hz, fewer than the {n} the excerpt needs");
        start = (int)Math.Min(Math.Round(config.ExcerptStart * rate), song.Length - n);
        var excerpt = song.AsSpan(start, n).ToArray();
        float peak = excerpt.Max(MathF.Abs);
        if (peak == 0) throw InputException.ForFile(file, $"the {n}-sample excerpt at sample {start} is silent; pick another --excerpt-start");
        for (int i = 0; i < n; i++) excerpt[i] /= peak;
        return excerpt;
    }

    private static ModelResult Train(BenchConfig config, BenchSettings settings, BenchRunOptions run, GridCell cell,
        float[] excerpt, Objective objective, IProgressSink progress)
    {
        var spec = config.SpecFor(cell, 1);
        var training = config.Training;
        int steps = excerpt.Length;
        var curve = new List<LossPoint>();
        var epochSeconds = new List<double>();
        double final;
        Directory.CreateDirectory(run.ModelDirectory(cell.Name));

        manual_seed(training.Seed);
        using (var model = ModelFactory.Create(spec))
        {
            model.to(run.Device);
            var parameters = model.named_parameters().Select(p => (p.name, p.parameter)).ToArray();
            using var optimizer = TrainingOptimizer.Create(training, parameters);
            var step = new TrainingStep([.. parameters.Select(p => p.parameter)], optimizer, training.Clip);
            using var input = ones(steps, 1, 1, device: run.Device);                              // [T, 1, 1]: the constant input
            using var target = tensor(excerpt, device: run.Device).view(steps, 1, 1);              // [T, 1, 1]
            progress.Begin("train", training.Epochs);
            var clock = new Stopwatch();
            for (int epoch = 1; epoch <= training.Epochs; epoch++)
            {
                clock.Restart();
                StepResult update;
                try
                {
                    update = step.Update(epoch, () => objective.Loss(model.forward(input, null).Output, target));
                }
                catch (TrainingDivergedException)
                {
                    throw new InputException($"{cell.Name}: training diverged at update {epoch}; lower --lr");
                }
                epochSeconds.Add(clock.Elapsed.TotalSeconds);
                curve.Add(new LossPoint(epoch, update.Loss));
                progress.Report(epoch, string.Create(CultureInfo.InvariantCulture, $"{objective.Metric} {update.Loss:G4}"));
            }
            progress.Complete();

            // The figure: the trained model's score, measured after the last update.
            using (no_grad())
            using (var work = TensorWork.Begin())
                final = objective.Score(model.forward(input, null).Output, target).Mean!.Value;
        }

        var result = new ModelResult
        {
            Name = cell.Name,
            Spec = ModelSummary.From(spec),
            Parameters = BenchRunner.ParameterCount(spec),
            EpochSeconds = epochSeconds,
            TotalSeconds = epochSeconds.Sum(),
            LossCurve = curve,
            ValidationLoss = [],
            FinalTrainLoss = final,
            FinalValidationLoss = null,
            Sample = null,
            Provenance = BenchRunner.Provenance(run),
        };
        BenchRunner.Persist(config, settings, run, result);
        return result;
    }

    /// <summary>"rnn identity, lstm chrono over 320 steps, …": each architecture's initialisation, in grid order.</summary>
    private static string InitsOf(BenchConfig config) => string.Join(", ", config.Archs.Select(arch =>
    {
        var spec = config.SpecFor(new GridCell(arch, 1), 1);
        string name = spec.Init.ToString().ToLowerInvariant();
        return spec.Init == RecurrentInit.Chrono
            ? string.Create(CultureInfo.InvariantCulture, $"{Architectures.NameOf(arch)} {name} over {spec.ChronoSteps} steps")
            : $"{Architectures.NameOf(arch)} {name}";
    }));

    private static BenchSettings SettingsOf(BenchConfig config, string file, int start, Objective objective)
    {
        var c = CultureInfo.InvariantCulture;
        return new BenchSettings
        {
            Audio = Path.GetFileName(file),
            Codec = "raw",
            FrameSize = 1,
            SampleRate = config.Data.Codec.SampleRate,
            Window = config.ExcerptSamples,
            Stride = config.ExcerptSamples,
            Batch = 1,
            Epochs = config.Training.Epochs,
            Optimizer = config.Training.Optimizer.ToString().ToLowerInvariant(),
            LearningRate = config.Training.LearningRate,
            Objective = "constant input to excerpt",
            LossMetric = objective.Name,
            LossUnit = objective.Unit,
            Seed = config.Training.Seed,
            Extra = new Dictionary<string, string>
            {
                ["audio sha256"] = Checkpoint.Sha256Of(file)[..16],
                ["excerpt"] = $"{config.ExcerptSamples.ToString(c)} samples from sample {start.ToString(c)}, scaled to [-1, 1]",
                ["clip"] = config.Training.Clip.ToString("R", c),
                ["size"] = BenchRunner.SizeOf(config),
                ["init"] = InitsOf(config),
            },
        };
    }
}
