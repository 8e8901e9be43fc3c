using System.CommandLine;
using System.Globalization;
using MusicRnn.Cli.Options;
using MusicRnn.Codecs;
using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;

namespace MusicRnn.Cli.Commands;

/// <summary>
/// <c>musicrnn train</c>: trains one model on one or more songs by truncated BPTT and
/// checkpoints it at every epoch's end (docs/ARCHITECTURE.md, "Training"). Every option is checked, and every
/// audio file probed, before any training work starts.
/// </summary>
internal static class TrainCommand
{
    /// <summary>
    /// What <c>train</c> builds when no model option is given: an LSTM with peepholes, 512 units, one
    /// layer, the scaled residual readout (the plain head where it does not fit: <see cref="ModelOptions.FitReadout"/>).
    /// </summary>
    private static readonly ModelSpec DefaultModel = new() { Arch = Architecture.Lstm, HiddenSize = 512, Layers = 1, Readout = Readout.Scaled };

    /// <summary>
    /// How <c>train</c> trains when no training option is given: the essay's truncated BPTT (windows
    /// of 200 every 5, RMSProp, clip 1, 5 epochs) at a tenth of its learning rate. With the scaled
    /// readout at 10⁻³ the models overfit a 60-s song from the first epoch on (bench/results/2026-12-02-residual).
    /// </summary>
    private static readonly TrainingConfig DefaultTraining = new() { LearningRate = 1e-4 };

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "output folder: log.csv, validation.csv, checkpoint/", Required = true };
        var resume = new Option<bool>("--resume") { Description = "continue the checkpoint in --out (same settings; --epochs is the total)" };
        var arch = Choice.Of<Architecture>("--arch", "architecture", [.. Architectures.Trainable.Select(a => a.Arch)]);
        TrainingOptions.Default(arch, Architectures.NameOf(DefaultModel.Arch));
        var layers = new Option<int?>("--layers") { Description = $"stacked layers (default {DefaultModel.Layers})" };
        var matchParams = new Option<long?>("--match-params") { Description = "size the hidden layer so the model has about P parameters (instead of --hidden)" };
        var data = new DataOptions(audioRequired: true, "audio files or folders (every .wav/.mp3/.ogg inside, sorted by path)", DefaultData);
        var model = new ModelOptions(DefaultModel);
        var training = new TrainingOptions(DefaultTraining);
        var predict = Choice.Of<Prediction>("--predict", "what the model predicts: codec frames (the essay) or the next audio sample (SampleRNN: "
            + "defaults then mulaw levels at 16 kHz, a gru frame tier of 256, --window 1024 --stride 1024 --batch 32, adam 1e-3, 10 epochs)");
        TrainingOptions.Default(predict, Choice.NameOf(Prediction.Frames));
        var samples = new SampleOptions();

        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var quiet = CommonOptions.Quiet();

        var command = new Command("train", "Train a model on audio by truncated back-propagation through time. Writes log.csv (a row per iteration), validation.csv (a row per epoch, row 0 = untrained, with every baseline) and checkpoint/ (at each epoch end).")
        {
            output, resume, predict, arch, layers, matchParams, device, threads, quiet,
        };
        data.AddTo(command);
        model.AddTo(command);
        training.AddTo(command);
        samples.AddTo(command);

        command.SetAction(parsed =>
        {
            // A sample-level model starts from its own defaults; the options given then apply to either.
            bool sampleLevel = parsed.GetValue(predict) == Prediction.Samples;
            var (dataDefaults, modelDefaults, trainingDefaults) = sampleLevel
                ? (SampleLevelDefaults.Data, SampleLevelDefaults.Model, SampleLevelDefaults.Training)
                : (DefaultData, DefaultModel, DefaultTraining);
            if (!sampleLevel && samples.FirstGiven(parsed) is { } frameOnly)
                throw InputException.ForOption(frameOnly, "belongs to a sample-level model; add --predict samples");
            var architecture = parsed.GetValue(arch) ?? modelDefaults.Arch;
            var songs = data.Apply(parsed, dataDefaults);
            var shape = model.Apply(parsed, modelDefaults);
            if (sampleLevel) (songs, shape) = samples.Apply(parsed, songs, shape);
            shape = model.FitReadout(parsed, shape with { Arch = architecture }, songs.Target);
            // Logistic regression predicts in (0, 1), so its features are min-max scaled unless asked otherwise.
            if (!data.NormalizeGiven(parsed) && architecture == Architecture.LogReg) songs = songs with { Normalize = NormalizerKind.MinMax };
            // What the model predicts decides which codecs fit, so that is said before any codec option is checked.
            var probe = ObjectiveFactory.For(songs, shape);
            songs.Validate();

            // The feature count follows from the codec alone, so the model is checked before any audio is read.
            int features = CodecFactory.Create(songs.Codec).FeatureCount;
            var spec = shape with
            {
                Arch = architecture,
                Layers = parsed.GetValue(layers) ?? modelDefaults.Layers,
                InputSize = features,
                OutputSize = probe.OutputSize(features),
            };
            if (parsed.GetValue(matchParams) is { } budget)
            {
                if (model.HiddenGiven(parsed)) throw InputException.ForOption("--match-params", "give either --hidden or --match-params, not both");
                if (budget <= 0) throw InputException.ForOption("--match-params", $"expected a positive parameter count, got {budget}");
                spec = spec with { HiddenSize = ParameterBudget.MatchHidden(spec, budget) };
            }
            spec.Validate();
            CheckFitsInMemory(spec, parsed.GetValue(matchParams) is not null ? "--match-params" : "--hidden");

            var settings = training.Apply(parsed, trainingDefaults);
            settings.Validate();

            var run = new RunConfig
            {
                OutDirectory = parsed.GetValue(output)!,
                Resume = parsed.GetValue(resume),
                Device = CommonOptions.Apply(parsed.GetValue(device)!, parsed.GetValue(threads)),
            };

            // The folder is claimed before its contents are checked, so a second run is told that
            // the folder is busy, not what the first run happens to have written so far.
            bool created = !Directory.Exists(run.OutDirectory);
            var claim = Claim(run);
            var progress = ConsoleProgress.For(parsed.GetValue(quiet));
            bool done = false;
            try
            {
                run.Validate();
                using var loaded = TrainingData.Load(songs, run.Device, progress, settings.Window);
                // A recurrent sample-level model is measured against its own sample tier trained alone.
                var objective = ObjectiveFactory.For(songs, spec,
                    spec.SampleLevel is { Tiers: > 1 } ? new SampleTierBaseline(spec, settings, progress) : null);
                var result = TrainingSession.Run(loaded, objective, spec, settings, run, progress, ModelFactory.Create);
                Report(result);
                done = true;
            }
            catch (TrainingDivergedException e)
            {
                throw new InputException(e.Message, e);
            }
            catch (System.Runtime.InteropServices.ExternalException e) when (e.Message.Contains("can't allocate memory", StringComparison.Ordinal))
            {
                // libtorch's allocator failed: the model's activations (window × batch × hidden) do not fit.
                throw new InputException($"--hidden: out of memory while training ({FirstLine(e.Message)}); lower --hidden, --window or --batch", e);
            }
            finally
            {
                (progress as IDisposable)?.Dispose();
                claim?.Dispose();
                if (!done && created) RemoveIfOnlyLock(run.OutDirectory);
            }
            return CliRunner.Ok;
        });
        return command;
    }

    /// <summary>What <c>train</c> reads when no data option is given: rfft frames of 2048 samples at 22050 Hz.</summary>
    private static DataConfig DefaultData { get; } = new() { Audio = [] };

    /// <summary>
    /// Refuses a model whose weights, gradients and (up to two) optimizer state tensors, all
    /// float32, cannot fit in this machine's memory, before libtorch fails to allocate them.
    /// </summary>
    private static void CheckFitsInMemory(ModelSpec spec, string option)
    {
        long parameters = ParameterBudget.Count(spec);
        double bytes = parameters * 4.0 * 4;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && bytes > available)
            throw InputException.ForOption(option, string.Create(CultureInfo.InvariantCulture,
                $"a model of {parameters} parameters needs about {bytes / 1e9:F1} GB for weights, gradients and optimizer state; this machine has {available / 1e9:F1} GB"));
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>
    /// Claims the output folder for this process. Problems with the path itself, and a --resume
    /// of a folder that does not exist, are left to <see cref="RunConfig.Validate"/>, which reports
    /// them without creating anything.
    /// </summary>
    private static OutputLock? Claim(RunConfig run) =>
        string.IsNullOrWhiteSpace(run.OutDirectory) || File.Exists(run.OutDirectory) || (run.Resume && !Directory.Exists(run.OutDirectory))
            ? null
            : OutputLock.Acquire(run.OutDirectory);

    /// <summary>A run refused before writing anything leaves no folder behind that it created only to lock.</summary>
    private static void RemoveIfOnlyLock(string directory)
    {
        try
        {
            if (Directory.Exists(directory)
                && Directory.EnumerateFileSystemEntries(directory).All(e => Path.GetFileName(e) is OutputLock.LockFile or OutputLock.PidFile))
                Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leaving an empty folder behind is harmless; the refusal already says what went wrong.
        }
    }

    private static void Report(TrainingResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        if (result.Epochs.Count == 0) Console.WriteLine("nothing to train: the checkpoint already has the epochs asked for");
        foreach (var e in result.Epochs)
            Console.WriteLine(string.Create(inv, $"epoch {e.Epoch}: train loss {e.TrainLoss:G5}, validation loss {(e.ValidationLoss is { } v ? v.ToString("G5", inv) : "n/a")}, {e.Seconds:F1} s"));
        foreach (var b in result.Baselines)
            if (b.Loss is { } loss) Console.WriteLine(string.Create(inv, $"{b.Name} baseline: {loss:G5}"));
        Console.WriteLine($"parameters: {result.ParameterCount}");
        Console.WriteLine($"checkpoint: {result.CheckpointDirectory}");
    }
}
