using System.CommandLine;
using System.Globalization;
using MusicRnn.Generation;

namespace MusicRnn.Cli.Commands;

/// <summary>
/// <c>musicrnn generate</c>: new audio from a trained checkpoint, free-running or teacher-forced,
/// with its metrics in FILE.json beside FILE.wav (docs/ARCHITECTURE.md, "Generation").
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "checkpoint folder written by train", Required = true };
        var output = new Option<string>("--out") { Description = "WAV file to write; metrics go beside it as FILE.json", Required = true };
        var seconds = new Option<double?>("--seconds") { Description = "seconds to generate (default 20; teacher-forced: the whole file)" };
        var prime = new Option<string?>("--prime") { Description = "audio to prime the state on (default: the training song, else silence)" };
        var primeSeconds = new Option<double>("--prime-seconds")
        {
            Description = "seconds of the prime to run before generating",
            DefaultValueFactory = _ => 5,
        };
        var noise = new Option<double>("--noise") { Description = "σ of Gaussian noise (model space) added to each frame fed back" };
        var seed = new Option<long>("--seed") { Description = "seed of the noise" };
        var teacherForced = new Option<string?>("--teacher-forced") { Description = "feed this file's real frames and write the model's predictions" };
        var predictions = new Option<string?>("--predictions")
        {
            Description = "with --teacher-forced: also write the model-space inputs and predictions (float32) to this .safetensors file",
        };
        var sampleFormat = CommonOptions.SampleFormat();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var quiet = CommonOptions.Quiet();

        var command = new Command("generate", "Generate audio from a trained model (free-running or teacher-forced) and measure it")
        {
            model, output, seconds, prime, primeSeconds, noise, seed, teacherForced, predictions, sampleFormat, device, threads, quiet,
        };
        command.SetAction(parsed =>
        {
            var config = new GenerationConfig
            {
                Model = parsed.GetValue(model)!,
                Output = parsed.GetValue(output)!,
                Seconds = parsed.GetValue(seconds),
                Prime = parsed.GetValue(prime),
                PrimeSeconds = parsed.GetValue(primeSeconds),
                Noise = parsed.GetValue(noise),
                Seed = parsed.GetValue(seed),
                TeacherForced = parsed.GetValue(teacherForced),
                Predictions = parsed.GetValue(predictions),
                Format = CommonOptions.ParseSampleFormat(parsed.GetValue(sampleFormat)!),
            };
            config.Validate();
            var torchDevice = CommonOptions.Apply(parsed.GetValue(device)!, parsed.GetValue(threads));
            var progress = ConsoleProgress.For(parsed.GetValue(quiet));
            try
            {
                var metrics = GenerationRun.Run(config, torchDevice, progress);
                Console.Out.WriteLine(Summary(config, metrics));
            }
            finally
            {
                (progress as IDisposable)?.Dispose();
            }
            return CliRunner.Ok;
        });
        return command;
    }


    private static string Summary(GenerationConfig config, GenerationMetrics m)
    {
        var inv = CultureInfo.InvariantCulture;
        var level = m.Audio.RmsDbfs is { } db ? string.Format(inv, "{0:F1} dBFS RMS", db) : "silent";
        var copy = m.Novelty is { } n
            ? string.Format(inv, "longest copied run {0} frames, mean nearest-frame distance {1:F3}", n.LongestCopiedRun, n.MeanNearestDistance)
            : "novelty not measured (no training song)";
        return string.Format(inv, "wrote {0} ({1:F2} s, {2}, silence {3:P0}); {4}; metrics in {5}",
            config.Output, m.Audio.DurationSeconds, level, m.Audio.SilenceFraction, copy, GenerationMetrics.JsonPathFor(config.Output));
    }
}
