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
        var seed = new Option<long>("--seed") { Description = "seed of the noise, or of a sample-level model's draws" };
        var temperature = new Option<double>("--temperature")
        {
            Description = "sample-level models: softmax temperature of each drawn sample (0 = the most likely level)",
            DefaultValueFactory = _ => 1.0,
        };
        var streams = new Option<int>("--streams")
        {
            Description = "generate N files, FILE-1.wav … FILE-N.wav, seeded seed, seed + 1, …",
            DefaultValueFactory = _ => 1,
        };
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
            model, output, seconds, prime, primeSeconds, noise, seed, temperature, streams, teacherForced, predictions, sampleFormat, device, threads, quiet,
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
                Temperature = parsed.GetValue(temperature),
                TeacherForced = parsed.GetValue(teacherForced),
                Predictions = parsed.GetValue(predictions),
                Format = CommonOptions.ParseSampleFormat(parsed.GetValue(sampleFormat)!),
            };
            config.Validate();
            var configs = config.Streams(parsed.GetValue(streams));
            var torchDevice = CommonOptions.Apply(parsed.GetValue(device)!, parsed.GetValue(threads));
            var progress = ConsoleProgress.For(parsed.GetValue(quiet));
            try
            {
                foreach (var (one, metrics) in GenerationRun.RunStreams(config, configs.Count, torchDevice, progress))
                    Console.Out.WriteLine(Summary(one, metrics));
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
        var copy = m.Music is { } n
            ? string.Format(inv, "tempo {0}, timbre distance {1} (the song's halves: {2}), copies {3:F2} s of training audio, loops {4:F2} s",
                n.TempoBpm is { } bpm ? string.Format(inv, "{0:F1} BPM (periodicity {1:F2})", bpm, n.Periodicity) : "not found",
                n.TimbreDistance is { } d ? d.ToString("F1", inv) : "–",
                m.Reference?.HalvesTimbreDistance is { } h ? h.ToString("F1", inv) : "–",
                n.CopiedSeconds, n.LoopSeconds)
            : "not measured against the song (no training song)";
        return string.Format(inv, "wrote {0} ({1:F2} s, {2}, silence {3:P0}); {4}; metrics in {5}",
            config.Output, m.Audio.DurationSeconds, level, m.Audio.SilenceFraction, copy, GenerationMetrics.JsonPathFor(config.Output));
    }
}
