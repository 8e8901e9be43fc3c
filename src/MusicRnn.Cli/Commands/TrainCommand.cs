using System.CommandLine;
using System.Globalization;
using MusicRnn.Codecs;
using MusicRnn.Models;
using MusicRnn.Training;

namespace MusicRnn.Cli.Commands;

/// <summary>
/// <c>musicrnn train</c>: trains one model on one or more songs by truncated BPTT and
/// checkpoints it at every epoch's end (DESIGN.md §4, §5). Every option is checked, and every
/// audio file probed, before any training work starts.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var audio = new Option<string[]>("--audio") { Description = "audio files or folders (every .wav/.mp3/.ogg inside, sorted by path)", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "output folder: log.csv, validation.csv, checkpoint/", Required = true };
        var resume = new Option<bool>("--resume") { Description = "continue the checkpoint in --out (same settings; --epochs is the total)" };

        var arch = new Option<string>("--arch") { Description = "rnn, lstm, gru, cwrnn, logreg or mlp", DefaultValueFactory = _ => "lstm" };
        var layers = new Option<int>("--layers") { Description = "stacked layers", DefaultValueFactory = _ => 1 };
        var hidden = new Option<int?>("--hidden") { Description = "hidden units per layer (default 512)" };
        var matchParams = new Option<long?>("--match-params") { Description = "size the hidden layer so the model has about P parameters (instead of --hidden)" };
        var activation = new Option<string>("--activation") { Description = "rnn/cwrnn nonlinearity: tanh or sigmoid", DefaultValueFactory = _ => "tanh" };
        var peepholes = new Option<bool>("--peepholes") { Description = "lstm peephole connections: true or false (default true)", DefaultValueFactory = _ => true };
        var gruReset = new Option<string>("--gru-reset") { Description = "gru reset gate: before (Cho) or after (cuDNN)", DefaultValueFactory = _ => "before" };
        var modules = new Option<int>("--modules") { Description = "cwrnn modules the hidden layer is split into", DefaultValueFactory = _ => 8 };
        var periods = new Option<int[]>("--periods") { Description = "cwrnn period of each module (default 1 2 4 ...)", AllowMultipleArgumentsPerToken = true };

        var codec = new Option<string>("--codec") { Description = "fft, rfft, mdct or raw", DefaultValueFactory = _ => "rfft" };
        var frame = new Option<int>("--frame") { Description = "frame length in samples", DefaultValueFactory = _ => 2048 };
        var sampleRate = new Option<int>("--sample-rate") { Description = "resample audio to this rate (Hz)", DefaultValueFactory = _ => 22050 };
        var hop = new Option<int?>("--hop") { Description = "stft/mel: samples between frame starts (default frame/4)" };
        var melBands = new Option<int?>("--mel-bands") { Description = "mel: mel bands per frame (default 128)" };
        var phaseIters = new Option<int?>("--phase-iters") { Description = "stft/mel: Griffin-Lim iterations when decoding (default 32)" };
        var normalize = new Option<string?>("--normalize") { Description = "zscore, minmax or none (default zscore; minmax for logreg)" };
        var objective = new Option<string>("--objective") { Description = "next (predict x_t+1) or reconstruct (x_t)", DefaultValueFactory = _ => "next" };
        var validate = new Option<double>("--validate") { Description = "fraction of each song held out at its end", DefaultValueFactory = _ => 0.1 };

        var window = new Option<int>("--window") { Description = "frames per BPTT window", DefaultValueFactory = _ => 200 };
        var stride = new Option<int>("--stride") { Description = "frames between window starts", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--batch") { Description = "windows per step, run as parallel streams", DefaultValueFactory = _ => 1 };
        var state = new Option<string>("--state") { Description = "carry (state advanced between windows) or reset", DefaultValueFactory = _ => "carry" };
        var epochs = new Option<int>("--epochs") { Description = "epochs to train (in total, when resuming)", DefaultValueFactory = _ => 5 };
        var optimizer = new Option<string>("--optimizer") { Description = "rmsprop, rprop, sgd, adagrad or adam", DefaultValueFactory = _ => "rmsprop" };
        var lr = new Option<double>("--lr") { Description = "learning rate (rprop: initial step size)", DefaultValueFactory = _ => 1e-3 };
        var momentum = new Option<double>("--momentum") { Description = "sgd momentum", DefaultValueFactory = _ => 0 };
        var nesterov = new Option<bool>("--nesterov") { Description = "sgd: Nesterov momentum" };
        var clip = new Option<double>("--clip") { Description = "gradient-norm ceiling (0 = off)", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<long>("--seed") { Description = "seed for the weight initialisation", DefaultValueFactory = _ => 0 };

        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var quiet = CommonOptions.Quiet();

        var command = new Command("train", "Train a model on audio by truncated back-propagation through time. Writes log.csv (a row per iteration), validation.csv (a row per epoch, row 0 = untrained, with the persistence and mean baselines) and checkpoint/ (at each epoch end).")
        {
            audio, output, resume, arch, layers, hidden, matchParams, activation, peepholes, gruReset, modules, periods,
            codec, frame, sampleRate, hop, melBands, phaseIters, normalize, objective, validate,
            window, stride, batch, state, epochs, optimizer, lr, momentum, nesterov, clip, seed,
            device, threads, quiet,
        };

        command.SetAction(parsed =>
        {
            var architecture = ParseArch(parsed.GetValue(arch)!);
            var data = new DataConfig
            {
                Audio = parsed.GetValue(audio) ?? [],
                Codec = new CodecSettings(parsed.GetValue(codec)!.Trim().ToLowerInvariant(), parsed.GetValue(frame), parsed.GetValue(sampleRate))
                {
                    Hop = parsed.GetValue(hop),
                    MelBands = parsed.GetValue(melBands),
                    PhaseIterations = parsed.GetValue(phaseIters),
                },
                Normalize = parsed.GetValue(normalize) is { } n ? Normalizer.ParseKind(n)
                    : architecture == Architecture.LogReg ? NormalizerKind.MinMax : NormalizerKind.ZScore,
                Objective = Parse<Objective>("--objective", parsed.GetValue(objective)!, "next", "reconstruct"),
                ValidateFraction = parsed.GetValue(validate),
            };
            data.Validate();

            // The feature count follows from the codec alone, so the model is checked before any audio is read.
            int features = CodecFactory.Create(data.Codec).FeatureCount;
            var spec = new ModelSpec
            {
                Arch = architecture,
                InputSize = features,
                OutputSize = features,
                HiddenSize = parsed.GetValue(hidden) ?? 512,
                Layers = parsed.GetValue(layers),
                Activation = Parse<Activation>("--activation", parsed.GetValue(activation)!, "tanh", "sigmoid"),
                Peepholes = parsed.GetValue(peepholes),
                GruReset = Parse<GruReset>("--gru-reset", parsed.GetValue(gruReset)!, "before", "after"),
                Modules = parsed.GetValue(modules),
                Periods = parsed.GetValue(periods) is { Length: > 0 } p ? p : null,
            };
            if (parsed.GetValue(matchParams) is { } budget)
            {
                if (parsed.GetValue(hidden) is not null) throw InputException.ForOption("--match-params", "give either --hidden or --match-params, not both");
                if (budget <= 0) throw InputException.ForOption("--match-params", $"expected a positive parameter count, got {budget}");
                spec = spec with { HiddenSize = ParameterBudget.MatchHidden(spec, budget) };
            }
            spec.Validate();
            CheckFitsInMemory(spec, parsed.GetValue(matchParams) is not null ? "--match-params" : "--hidden");

            var training = new TrainingConfig
            {
                Window = parsed.GetValue(window),
                Stride = parsed.GetValue(stride),
                Batch = parsed.GetValue(batch),
                State = Parse<StateMode>("--state", parsed.GetValue(state)!, "carry", "reset"),
                Epochs = parsed.GetValue(epochs),
                Optimizer = Parse<OptimizerKind>("--optimizer", parsed.GetValue(optimizer)!, "rmsprop", "rprop", "sgd", "adagrad", "adam"),
                LearningRate = parsed.GetValue(lr),
                Momentum = parsed.GetValue(momentum),
                Nesterov = parsed.GetValue(nesterov),
                Clip = parsed.GetValue(clip),
                Seed = parsed.GetValue(seed),
            };
            training.Validate();

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
                using var songs = TrainingData.Load(data, run.Device, progress);
                var result = TrainingSession.Run(songs, spec, training, run, progress, ModelFactory.Create);
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
        if (result.PersistenceLoss is { } p) Console.WriteLine(string.Create(inv, $"persistence baseline: {p:G5}"));
        if (result.Baselines.Mean is { } m) Console.WriteLine(string.Create(inv, $"mean baseline: {m:G5}"));
        Console.WriteLine($"parameters: {result.ParameterCount}");
        Console.WriteLine($"checkpoint: {result.CheckpointDirectory}");
    }

    private static Architecture ParseArch(string name) => name.Trim().ToLowerInvariant() switch
    {
        "rnn" => Architecture.Rnn,
        "lstm" => Architecture.Lstm,
        "gru" => Architecture.Gru,
        "cwrnn" => Architecture.CwRnn,
        "logreg" => Architecture.LogReg,
        "mlp" => Architecture.Mlp,
        _ => throw InputException.ForOption("--arch", $"unknown architecture '{name}'; expected rnn, lstm, gru, cwrnn, logreg or mlp"),
    };

    /// <summary>Parses one of <paramref name="names"/> (given in the enum's order) into <typeparamref name="T"/>.</summary>
    private static T Parse<T>(string option, string value, params string[] names) where T : struct, Enum
    {
        int index = Array.IndexOf(names, value.Trim().ToLowerInvariant());
        if (index < 0) throw InputException.ForOption(option, $"expected one of {string.Join(", ", names)}, got '{value}'");
        return Enum.GetValues<T>()[index];
    }
}
