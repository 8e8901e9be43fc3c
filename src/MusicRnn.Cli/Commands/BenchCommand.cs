using System.CommandLine;
using System.Globalization;
using MusicRnn.Codecs;
using MusicRnn.Experiments;
using MusicRnn.Training;

namespace MusicRnn.Cli.Commands;

/// <summary>
/// <c>musicrnn bench</c>: trains a grid of architectures × depths on one song with identical
/// settings and writes the comparison (DESIGN.md §7). A preset gives every setting; any option
/// given overrides that one field.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = $"starting settings: {string.Join(", ", Presets.Names)}", DefaultValueFactory = _ => "quick" };
        var output = new Option<string>("--out") { Description = "results folder: models/, samples/, results.json, table.md, loss-*.png, time.png, report.html", Required = true };
        var resume = new Option<bool>("--resume") { Description = "continue an interrupted run in --out: finished models are kept, the others resume from their checkpoints" };
        var options = new GridOptions();

        var command = new Command("bench", "Train a grid of recurrent architectures on the same song with identical settings and write the comparison: results.json, table.md, plots, samples and report.html.")
        {
            preset, output, resume,
        };
        options.AddTo(command);

        command.SetAction(parsed =>
        {
            var config = options.Apply(parsed, Presets.Get(parsed.GetValue(preset)!));
            var run = new BenchRunOptions
            {
                OutDirectory = parsed.GetValue(output)!,
                Resume = parsed.GetValue(resume),
                Device = options.Device(parsed, config),
            };
            var results = Run(config, run, options.Quiet(parsed));
            Console.Out.Write(TableWriter.Render(results));
            Console.Out.WriteLine();
            Console.Out.WriteLine($"report: {Path.GetFullPath(Path.Combine(run.OutDirectory, ReportWriter.FileName))}");
            return CliRunner.Ok;
        });
        return command;
    }

    /// <summary>Runs the grid with a console progress display.</summary>
    public static BenchResults Run(BenchConfig config, BenchRunOptions run, bool quiet)
    {
        var progress = ConsoleProgress.For(quiet);
        try
        {
            return BenchRunner.Run(config, run, progress);
        }
        finally
        {
            (progress as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// The options that override a preset's fields, shared by <c>bench</c> and <c>demo</c>. Each is
    /// nullable: only what the user gives replaces the preset's value.
    /// </summary>
    internal sealed class GridOptions
    {
        private readonly Option<string[]> _audio = new("--audio") { Description = "audio files or folders (default: the built-in synthesized track, written to OUT/track.wav)", AllowMultipleArgumentsPerToken = true };
        private readonly Option<double?> _seconds = new("--seconds") { Description = "length of the synthesized track when no --audio is given" };
        private readonly Option<string?> _archs = new("--archs") { Description = "comma-separated architectures: rnn,lstm,gru,cwrnn" };
        private readonly Option<string?> _layers = new("--layers") { Description = "comma-separated depths, e.g. 1,2,3" };
        private readonly Option<string?> _match = new("--match") { Description = "hidden (same width for all) or params (same parameter count for all)" };
        private readonly Option<long?> _params = new("--params") { Description = "with --match params: the budget (default: an lstm's count at --hidden)" };
        private readonly Option<string[]> _only = new("--only") { Description = "run only this cell of the grid, ARCH:LAYERS (repeatable), e.g. lstm:2", AllowMultipleArgumentsPerToken = true };
        private readonly Option<int?> _hidden = new("--hidden") { Description = "hidden units per layer" };
        private readonly Option<int?> _modules = new("--modules") { Description = "cwrnn modules" };
        private readonly Option<string?> _codec = new("--codec") { Description = "fft, rfft, mdct or raw" };
        private readonly Option<int?> _frame = new("--frame") { Description = "frame length in samples" };
        private readonly Option<int?> _sampleRate = new("--sample-rate") { Description = "resample audio to this rate (Hz)" };
        private readonly Option<int?> _maxFrames = new("--max-frames") { Description = "use only the first N frames of each song" };
        private readonly Option<string?> _objective = new("--objective") { Description = "next or reconstruct" };
        private readonly Option<double?> _validate = new("--validate") { Description = "fraction of each song held out at its end" };
        private readonly Option<int?> _window = new("--window") { Description = "frames per BPTT window" };
        private readonly Option<int?> _stride = new("--stride") { Description = "frames between window starts" };
        private readonly Option<int?> _batch = new("--batch") { Description = "windows per step, run as parallel streams" };
        private readonly Option<int?> _epochs = new("--epochs") { Description = "epochs per model" };
        private readonly Option<string?> _optimizer = new("--optimizer") { Description = "rmsprop, rprop, sgd, adagrad or adam" };
        private readonly Option<double?> _lr = new("--lr") { Description = "learning rate" };
        private readonly Option<double?> _clip = new("--clip") { Description = "gradient-norm ceiling (0 = off)" };
        private readonly Option<long?> _seed = new("--seed") { Description = "seed of the weights, the synthesized track and generation" };
        private readonly Option<double?> _sampleSeconds = new("--sample-seconds") { Description = "seconds generated by each model into samples/ (0 = none)" };
        private readonly Option<string> _device = CommonOptions.Device();
        private readonly Option<int?> _threads = new("--threads") { Description = "CPU threads for tensor work (0 = all cores; default: the preset's, 1 for quick, whose small models run fastest on one)" };
        private readonly Option<bool> _quiet = CommonOptions.Quiet();

        public void AddTo(Command command)
        {
            foreach (Option o in new Option[]
            {
                _audio, _seconds, _archs, _layers, _match, _params, _only, _hidden, _modules, _codec, _frame, _sampleRate, _maxFrames,
                _objective, _validate, _window, _stride, _batch, _epochs, _optimizer, _lr, _clip, _seed, _sampleSeconds,
                _device, _threads, _quiet,
            })
                command.Options.Add(o);
        }

        public bool Quiet(ParseResult parsed) => parsed.GetValue(_quiet);

        /// <summary>Applies <c>--threads</c> (else the preset's thread count, else all cores) and resolves <c>--device</c>.</summary>
        public TorchSharp.torch.Device Device(ParseResult parsed, BenchConfig config) =>
            CommonOptions.Apply(parsed.GetValue(_device)!, parsed.GetValue(_threads) ?? config.Threads ?? 0);

        /// <summary>The preset with every given option put in its place, validated.</summary>
        public BenchConfig Apply(ParseResult parsed, BenchConfig preset)
        {
            var c = preset;
            var t = c.Training;
            if (parsed.GetValue(_audio) is { Length: > 0 } audio) c = c with { Audio = audio };
            if (parsed.GetValue(_seconds) is { } seconds) c = c with { TrackSeconds = seconds };
            if (parsed.GetValue(_archs) is { } archs) c = c with { Archs = List(archs, "--archs").Select(a => GridCell.ParseArch(a, "--archs")).Distinct().ToList() };
            if (parsed.GetValue(_layers) is { } layers) c = c with { Layers = List(layers, "--layers").Select(l => Int(l, "--layers")).Distinct().ToList() };
            if (parsed.GetValue(_match) is { } match)
                c = c with { Match = match.Trim().ToLowerInvariant() switch
                {
                    "hidden" => SizeMatch.Hidden,
                    "params" => SizeMatch.Params,
                    _ => throw InputException.ForOption("--match", $"expected hidden or params, got '{match}'"),
                } };
            if (parsed.GetValue(_params) is { } budget)
            {
                if (c.Match != SizeMatch.Params) throw InputException.ForOption("--params", "a parameter budget needs --match params");
                c = c with { ParameterBudget = budget };
            }
            if (parsed.GetValue(_only) is { Length: > 0 } only)
                c = c with { Only = only.SelectMany(o => List(o, "--only")).Select(GridCell.Parse).ToList() };
            if (parsed.GetValue(_hidden) is { } hidden) c = c with { Hidden = hidden };
            if (parsed.GetValue(_modules) is { } modules) c = c with { Modules = modules };
            if (parsed.GetValue(_codec) is { } codec) c = c with { Codec = codec.Trim().ToLowerInvariant() };
            if (parsed.GetValue(_frame) is { } frame) c = c with { FrameLength = frame };
            if (parsed.GetValue(_sampleRate) is { } rate) c = c with { SampleRate = rate };
            if (parsed.GetValue(_maxFrames) is { } maxFrames) c = c with { MaxFrames = maxFrames };
            if (parsed.GetValue(_objective) is { } objective)
                c = c with { Objective = objective.Trim().ToLowerInvariant() switch
                {
                    "next" => Objective.Next,
                    "reconstruct" => Objective.Reconstruct,
                    _ => throw InputException.ForOption("--objective", $"expected next or reconstruct, got '{objective}'"),
                } };
            if (parsed.GetValue(_validate) is { } validate) c = c with { ValidateFraction = validate };
            if (parsed.GetValue(_window) is { } window) t = t with { Window = window };
            if (parsed.GetValue(_stride) is { } stride) t = t with { Stride = stride };
            if (parsed.GetValue(_batch) is { } batch) t = t with { Batch = batch };
            if (parsed.GetValue(_epochs) is { } epochs) t = t with { Epochs = epochs };
            if (parsed.GetValue(_optimizer) is { } optimizer)
                t = t with { Optimizer = optimizer.Trim().ToLowerInvariant() switch
                {
                    "rmsprop" => OptimizerKind.RmsProp,
                    "rprop" => OptimizerKind.Rprop,
                    "sgd" => OptimizerKind.Sgd,
                    "adagrad" => OptimizerKind.Adagrad,
                    "adam" => OptimizerKind.Adam,
                    _ => throw InputException.ForOption("--optimizer", $"expected rmsprop, rprop, sgd, adagrad or adam, got '{optimizer}'"),
                } };
            if (parsed.GetValue(_lr) is { } lr) t = t with { LearningRate = lr };
            if (parsed.GetValue(_clip) is { } clip) t = t with { Clip = clip };
            if (parsed.GetValue(_seed) is { } seed) t = t with { Seed = seed };
            if (parsed.GetValue(_sampleSeconds) is { } sampleSeconds) c = c with { SampleSeconds = sampleSeconds };
            c = c with { Training = t };
            if (c.Task == BenchTask.Frames && !CodecFactory.Names.Contains(c.Codec))
                throw InputException.ForOption("--codec", $"unknown codec '{c.Codec}'; expected one of {string.Join(", ", CodecFactory.Names)}");
            c.Validate();
            return c;
        }

        private static string[] List(string text, string option)
        {
            var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (items.Length == 0) throw InputException.ForOption(option, "expected a comma-separated list, got nothing");
            return items;
        }

        private static int Int(string text, string option) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
                ? v
                : throw InputException.ForOption(option, $"expected whole numbers, got '{text}'");
    }
}
