using System.CommandLine;
using System.Globalization;
using MusicRnn.Performance;

namespace MusicRnn.Cli.Commands;

/// <summary>
/// <c>musicrnn perf</c>: times every architecture's forward + backward per window, the
/// machine's own matmul rate, the essay-code training update, free-running generation,
/// Griffin-Lim decoding, and the sample-level model's generation and training, and writes
/// perf.json, perf.md and two figures.
/// </summary>
internal static class PerfCommand
{
    public static Command Create()
    {
        var archs = new Option<string[]>("--archs") { Description = "architectures: rnn, lstm-peepholes, lstm-plain, gru-before, gru-after, cwrnn (and */libtorch)", AllowMultipleArgumentsPerToken = true };
        var hidden = new Option<string>("--hidden") { Description = "hidden sizes, comma-separated (input = hidden)", DefaultValueFactory = _ => "1024,2048" };
        var window = new Option<string>("--window") { Description = "window lengths, comma-separated", DefaultValueFactory = _ => "100,200" };
        var batch = new Option<string>("--batch") { Description = "batch sizes, comma-separated", DefaultValueFactory = _ => "1,16" };
        var output = new Option<string>("--out") { Description = "output folder for perf.json, perf.md and the figures", DefaultValueFactory = _ => "perf" };
        var repeats = new Option<int>("--repeats") { Description = "timed runs per measurement (median and best reported)", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs first", DefaultValueFactory = _ => 1 };
        var matmul = new Option<int>("--matmul") { Description = "side of the square matmul that measures the machine", DefaultValueFactory = _ => 2048 };
        var noLibtorch = new Option<bool>("--no-libtorch") { Description = "skip the libtorch fused-kernel reference rows" };
        var noEssay = new Option<bool>("--no-essay") { Description = "skip the essay-code training updates" };
        var generate = new Option<int>("--generate") { Description = "frames of free-running generation to time (0 = skip)", DefaultValueFactory = _ => 400 };
        var griffinLim = new Option<double>("--griffin-lim") { Description = "seconds of audio decoded per timed Griffin-Lim run of stft and mel at the default sizes (0 = skip)", DefaultValueFactory = _ => 20 };
        var samples = new Option<double>("--samples") { Description = "seconds of audio per stream per timed run of the default sample-level model's generation, a row per frame tier (rnn, lstm, gru, cwrnn) (0 = skip)", DefaultValueFactory = _ => 2 };
        var sampleStreams = new Option<int>("--sample-streams") { Description = "streams of the second sample-level generation row", DefaultValueFactory = _ => 4 };
        var defaults = new PerfConfig();
        var sampleTraining = new Option<int>("--sample-training") { Description = "timed training updates of the default sample-level model, a row per frame tier (rnn, lstm, gru, cwrnn), in samples/s (0 = skip)", DefaultValueFactory = _ => defaults.SampleTrainingUpdates };
        var sampleBatch = new Option<int>("--sample-batch") { Description = "streams per timed sample-level training update (train's default batch)", DefaultValueFactory = _ => defaults.SampleTrainingStreams };
        var sampleWindow = new Option<int>("--sample-window") { Description = "samples per stream per timed sample-level training update (train's default window)", DefaultValueFactory = _ => defaults.SampleTrainingWindow };
        var noCells = new Option<bool>("--no-cells") { Description = "skip the forward + backward rows of the cells (e.g. to time only the sample-level rows)" };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var quiet = CommonOptions.Quiet();
        var command = new Command("perf", "Time every architecture (forward + backward per window, GFLOP/s, fraction of the machine's matmul rate), the essay-code training update against the essay's Table 1, free-running generation against real time, Griffin-Lim decoding of stft and mel against real time, and the default sample-level model's generation (against real time) and training (samples/s) per frame tier.")
        {
            archs, hidden, window, batch, output, repeats, warmup, matmul, noLibtorch, noEssay, generate, griffinLim, samples, sampleStreams, sampleTraining, sampleBatch, sampleWindow, noCells, device, threads, quiet,
        };
        command.SetAction(parsed =>
        {
            var runDevice = CommonOptions.Apply(parsed.GetValue(device)!, parsed.GetValue(threads));
            var config = new PerfConfig
            {
                Archs = parsed.GetValue(archs) is { Length: > 0 } a ? [.. a.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries))] : new PerfConfig().Archs,
                Cells = !parsed.GetValue(noCells),
                LibtorchReferences = !parsed.GetValue(noLibtorch),
                Hidden = Ints("--hidden", parsed.GetValue(hidden)!),
                Window = Ints("--window", parsed.GetValue(window)!),
                Batch = Ints("--batch", parsed.GetValue(batch)!),
                Repeats = parsed.GetValue(repeats),
                Warmup = parsed.GetValue(warmup),
                MatmulSize = parsed.GetValue(matmul),
                EssayCode = !parsed.GetValue(noEssay),
                GenerationFrames = parsed.GetValue(generate),
                GriffinLimSeconds = parsed.GetValue(griffinLim),
                SampleSeconds = parsed.GetValue(samples),
                SampleStreams = parsed.GetValue(sampleStreams),
                SampleTrainingUpdates = parsed.GetValue(sampleTraining),
                SampleTrainingStreams = parsed.GetValue(sampleBatch),
                SampleTrainingWindow = parsed.GetValue(sampleWindow),
                Threads = TorchSharp.torch.get_num_threads(),
            };
            config.Validate();
            var progress = ConsoleProgress.For(parsed.GetValue(quiet));
            PerfResults results;
            try
            {
                results = PerfRunner.Run(config, runDevice, progress);
            }
            finally
            {
                (progress as IDisposable)?.Dispose();
            }
            var folder = parsed.GetValue(output)!;
            var line = "musicrnn " + string.Join(' ', parsed.Tokens.Select(t => t.Value));
            PerfReport.WriteAll(results, folder, line);
            Console.Write(PerfReport.Markdown(results, line));
            return CliRunner.Ok;
        });
        return command;
    }

    private static int[] Ints(string option, string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw InputException.ForOption(option, $"expected comma-separated whole numbers, got '{p}'"))];
    }
}
