using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MusicRnn.Checkpoints;
using MusicRnn.Models;
using MusicRnn.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace MusicRnn.Training;

/// <summary>What one epoch ended with.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Iteration">Iterations done at its end.</param>
/// <param name="TrainLoss">Mean training loss over its iterations.</param>
/// <param name="ValidationLoss">Loss on the held-out tails, if any.</param>
/// <param name="Seconds">Training seconds at its end, over all runs.</param>
public sealed record EpochSummary(int Epoch, long Iteration, double TrainLoss, double? ValidationLoss, double Seconds);

/// <summary>What a training run ended with.</summary>
/// <param name="Epochs">The epochs trained in this run (a resumed run lists only its own).</param>
/// <param name="IterationLosses">Training loss of every iteration of this run.</param>
/// <param name="Baselines">The objective's baselines on the validation tails, each measured once per run.</param>
/// <param name="ParameterCount">Trainable scalars of the model.</param>
/// <param name="CheckpointDirectory">Where the final checkpoint is.</param>
public sealed record TrainingResult(IReadOnlyList<EpochSummary> Epochs, IReadOnlyList<double> IterationLosses,
    IReadOnlyList<BaselineLoss> Baselines, long ParameterCount, string CheckpointDirectory);

/// <summary>
/// A whole training job (docs/ARCHITECTURE.md, "Training"): builds (or restores) the model,
/// trains epoch by epoch, logs every iteration, validates and checkpoints at every epoch's end,
/// and resumes exactly.
/// </summary>
public static class TrainingSession
{
    /// <summary>Runs <paramref name="training"/> on <paramref name="data"/>, writing into <see cref="RunConfig.OutDirectory"/>.</summary>
    /// <param name="data">The songs; on <see cref="RunConfig.Device"/>.</param>
    /// <param name="objective">What the model learns to output and how that is scored.</param>
    /// <param name="spec">The model; its input and output sizes are set from the data here.</param>
    /// <param name="training">Truncated-BPTT settings.</param>
    /// <param name="run">Output folder, resume, device.</param>
    /// <param name="progress">Where progress and per-epoch notes go.</param>
    /// <param name="buildModel">Builds a freshly initialised model from a spec (normally ModelFactory.Create).</param>
    public static TrainingResult Run(TrainingData data, Objective objective, ModelSpec spec, TrainingConfig training, RunConfig run,
        IProgressSink progress, Func<ModelSpec, FrameModel> buildModel)
    {
        spec = spec with { InputSize = data.FeatureCount, OutputSize = objective.OutputSize(data.FeatureCount) };
        spec.Validate();
        training.Validate();
        run.Validate();
        data.CheckFits(training, objective.TargetShift);

        if (run.ResumesFromScratch) progress.Note($"{run.OutDirectory} has no checkpoint yet (the run stopped during its first epoch): starting from the beginning");
        Checkpoint? resumed = run.Resume && run.HasCheckpoint ? Checkpoint.Load(run.CheckpointDirectory) : null;
        try
        {
            if (resumed is not null) CheckSameSettings(resumed.Config, Describe(data, objective, spec, training, null), run.OutDirectory);

            manual_seed(training.Seed);
            using var model = buildModel(spec);
            model.to(run.Device);
            using var trainer = new Trainer(model, training, objective);
            double secondsBefore = 0;
            TrainingLog log;
            var baselines = data.Baselines(objective);
            var columns = baselines.Select(b => b.Name).ToArray();
            Directory.CreateDirectory(run.OutDirectory);
            var clock = Stopwatch.StartNew();
            if (resumed is not null)
            {
                resumed.LoadWeightsInto(model);
                trainer.Optimizer.LoadState(resumed.OptimizerTensors, resumed.Config.Optimizer.Scalars);
                trainer.Iteration = resumed.Config.Progress.Iteration;
                trainer.CompletedEpochs = resumed.Config.Progress.Epoch;
                secondsBefore = resumed.Config.Progress.Seconds;
                log = TrainingLog.Resume(run.OutDirectory, trainer.Iteration, trainer.CompletedEpochs, columns);
                resumed.Dispose();
                resumed = null;
            }
            else
            {
                log = TrainingLog.Create(run.OutDirectory, columns);
                log.AppendValidation(0, 0, 0, trainer.ValidationLoss(data.Songs), baselines);
            }

            using (log)
            {
                return TrainEpochs(data, objective, spec, training, run, progress, model, trainer, log, baselines, secondsBefore, clock);
            }
        }
        finally
        {
            resumed?.Dispose();
        }
    }

    private static TrainingResult TrainEpochs(TrainingData data, Objective objective, ModelSpec spec, TrainingConfig training, RunConfig run, IProgressSink progress,
        FrameModel model, Trainer trainer, TrainingLog log, IReadOnlyList<BaselineLoss> baselines, double secondsBefore, Stopwatch clock)
    {
        long perEpoch = trainer.IterationsPerEpoch(data.Songs);
        int firstEpoch = trainer.CompletedEpochs + 1;
        long firstIteration = trainer.Iteration;
        var epochs = new List<EpochSummary>();
        var losses = new List<double>();
        bool haveCheckpoint = firstEpoch > 1;
        foreach (var (baseline, measured) in objective.Baselines.Zip(baselines))
            if (measured.Loss is { } b)
                progress.Note(string.Create(CultureInfo.InvariantCulture,
                    $"{baseline.Name} baseline ({baseline.Rule}{(measured.Detail is { } d ? $"; {d}" : "")}) on the validation tails: {objective.Metric} {b:G5}"));
        progress.Begin("train", Math.Max(0, training.Epochs - trainer.CompletedEpochs) * perEpoch);

        // Training seconds leave validation out, so an epoch's time and the time to a target mean
        // the same however often the model is validated.
        clock.Restart();
        double? Validate()
        {
            clock.Stop();
            double? loss = trainer.ValidationLoss(data.Songs);
            clock.Start();
            return loss;
        }

        for (int epoch = firstEpoch; epoch <= training.Epochs; epoch++)
        {
            double trainLoss;
            try
            {
                trainLoss = trainer.TrainEpoch(data.Songs, record =>
                {
                    log.Append(record, secondsBefore + clock.Elapsed.TotalSeconds);
                    losses.Add(record.Loss);
                    progress.Report(record.Iteration - firstIteration,
                        string.Create(CultureInfo.InvariantCulture, $"epoch {record.Epoch}/{training.Epochs} loss {record.Loss:G4}"));
                    long within = record.Iteration - ((record.Epoch - 1) * perEpoch);
                    if (training.ValidateEvery > 0 && record.Iteration % training.ValidateEvery == 0 && within < perEpoch)
                    {
                        // Within the epoch: its fraction done, cut (not rounded) so it never reads as the epoch's end.
                        double done = record.Epoch - 1 + (Math.Floor(within * 10_000.0 / perEpoch) / 10_000);
                        double? loss = Validate();
                        log.AppendValidation(done, record.Iteration, secondsBefore + clock.Elapsed.TotalSeconds, loss, baselines);
                        progress.Note(string.Create(CultureInfo.InvariantCulture, $"iteration {record.Iteration}: validation loss {loss:G5}") + AgainstBaselines(loss, baselines));
                    }
                });
            }
            catch (TrainingDivergedException e)
            {
                log.Flush();
                throw new TrainingDivergedException(e.Iteration, haveCheckpoint ? run.CheckpointDirectory : null);
            }

            double? validation = Validate();
            double seconds = secondsBefore + clock.Elapsed.TotalSeconds;
            log.AppendValidation(epoch, trainer.Iteration, seconds, validation, baselines);
            var (optimizerTensors, scalars) = trainer.Optimizer.SaveState();
            var config = Describe(data, objective, spec, training, new ProgressSettings(epoch, trainer.Iteration, seconds, training.Seed))
                with { Optimizer = new OptimizerSettings(trainer.Optimizer.Name, scalars) };
            Checkpoint.Save(run.CheckpointDirectory, config, Checkpoint.WeightsOf(model), data.NormalizerTensors, optimizerTensors);
            haveCheckpoint = true;

            var summary = new EpochSummary(epoch, trainer.Iteration, trainLoss, validation, seconds);
            epochs.Add(summary);
            progress.Note(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}/{training.Epochs}: train loss {trainLoss:G5}, validation loss {(validation is { } v ? v.ToString("G5", CultureInfo.InvariantCulture) : "n/a")}, {seconds:F1} s")
                + AgainstBaselines(validation, baselines));
        }
        progress.Complete();
        return new TrainingResult(epochs, losses, baselines, model.ParameterCount(), run.CheckpointDirectory);
    }

    /// <summary>
    /// Whether a validation loss is below every baseline yet, the early sign of a run that learns
    /// (or of a dead one): "; below every baseline (0.85 of linear's)" or "; not below linear (0.311) yet".
    /// </summary>
    internal static string AgainstBaselines(double? validation, IReadOnlyList<BaselineLoss> baselines)
    {
        var best = baselines.Where(b => b.Loss is { } l && double.IsFinite(l)).MinBy(b => b.Loss);
        if (validation is not { } v || best?.Loss is not { } bar) return "";
        return v < bar
            ? string.Create(CultureInfo.InvariantCulture, $"; below every baseline ({v / bar:0.000} of {best.Name}'s)")
            : string.Create(CultureInfo.InvariantCulture, $"; not below the {best.Name} baseline ({bar:G4}) yet");
    }

    /// <summary>The checkpoint configuration of this run (progress and optimizer state filled in at each save).</summary>
    private static CheckpointConfig Describe(TrainingData data, Objective objective, ModelSpec spec, TrainingConfig training, ProgressSettings? progress) => new()
    {
        Objective = new ObjectiveSettings(objective.Name),
        Model = spec,
        Codec = data.Codec,
        Normalizer = new NormalizerSettings(Codecs.Normalizer.NameOf(data.NormalizerKind)),
        Data = new DataSettings(data.Target, data.ValidateFraction, data.Records),
        Training = training,
        Progress = progress ?? new ProgressSettings(0, 0, 0, training.Seed),
        Optimizer = new OptimizerSettings("", new Dictionary<string, double>()),
        Tensors = new Dictionary<string, string>(),
    };

    /// <summary>
    /// A resume must continue the same job: same model, codec, normalizer, songs (by content)
    /// and training settings. Only the epoch target may change (and device, threads, output).
    /// </summary>
    private static void CheckSameSettings(CheckpointConfig saved, CheckpointConfig asked, string directory)
    {
        var before = JsonSerializer.SerializeToNode(saved, CheckpointConfig.JsonOptions)!.AsObject();
        var now = JsonSerializer.SerializeToNode(asked, CheckpointConfig.JsonOptions)!.AsObject();
        foreach (string section in new[] { "objective", "model", "codec", "normalizer", "data", "training" })
        {
            var difference = FirstDifference(section, before[section], now[section]);
            if (difference is { } d)
                throw InputException.ForOption("--resume",
                    $"{directory} was trained with {d.Path} = {d.Saved}, this run asks for {d.Asked}; use the same settings or another --out");
        }
    }

    private static (string Path, string Saved, string Asked)? FirstDifference(string path, JsonNode? saved, JsonNode? asked)
    {
        if (path is "training.epochs" or "training.validate_every") return null;
        if (saved is JsonObject a && asked is JsonObject b)
        {
            foreach (string key in a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key)))
            {
                if (FirstDifference($"{path}.{key}", a[key], b[key]) is { } d) return d;
            }
            return null;
        }
        if (saved is JsonArray x && asked is JsonArray y && x.Count == y.Count)
        {
            for (int i = 0; i < x.Count; i++)
            {
                if (FirstDifference($"{path}[{i}]", x[i], y[i]) is { } d) return d;
            }
            return null;
        }
        string s = saved?.ToJsonString() ?? "null", t = asked?.ToJsonString() ?? "null";
        return s == t ? null : (path, s, t);
    }
}
