using MusicRnn.Analysis;
using MusicRnn.Audio;
using MusicRnn.Checkpoints;
using MusicRnn.Codecs;
using MusicRnn.Models;
using MusicRnn.Objectives;
using static TorchSharp.torch;

namespace MusicRnn.Generation;

/// <summary>
/// The whole of <c>musicrnn generate</c> (docs/ARCHITECTURE.md, "Generation"): load a checkpoint, prime (or take the
/// real frames for teacher forcing), run the model chunk by chunk, and stream every chunk through
/// denormalization, decoding, clipping and the WAV writer, measuring the decoded audio as it goes
/// (<see cref="OutputMeter"/>); then write the metrics beside the WAV. Nothing grows with the
/// output's length except the file.
/// </summary>
public static class GenerationRun
{
    /// <summary>Runs a generation and returns the metrics it wrote to FILE.json.</summary>
    /// <param name="config">What to generate.</param>
    /// <param name="device">Where the model runs.</param>
    /// <param name="progress">Progress and notes (a training song gone missing, say).</param>
    /// <param name="reference">
    /// The training songs' musical reference when the caller has made it already (a bench measures
    /// every model's sample against one); null = made here from the checkpoint's training songs.
    /// </param>
    /// <exception cref="InputException">A bad option, checkpoint or audio file.</exception>
    public static GenerationMetrics Run(GenerationConfig config, Device device, IProgressSink progress, MusicalReference? reference = null) =>
        RunStreams(config, 1, device, progress, reference)[0].Metrics;

    /// <summary>
    /// <c>--streams N</c>: N files, FILE-1 … FILE-N, stream i seeded seed + i − 1 (<see cref="GenerationConfig.Streams"/>;
    /// the file itself when N = 1), from one load of the checkpoint and one prime. A sample-level
    /// model free-running on its sampler makes the N side by side in one run, each the file a
    /// one-stream run of its seed makes; other models make them one after another.
    /// </summary>
    /// <returns>Each stream's config and the metrics written beside its WAV.</returns>
    /// <exception cref="InputException">A bad option, checkpoint or audio file.</exception>
    public static IReadOnlyList<(GenerationConfig Config, GenerationMetrics Metrics)> RunStreams(GenerationConfig config, int streams,
        Device device, IProgressSink progress, MusicalReference? reference = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(progress);
        config.Validate();
        var configs = config.Streams(streams);
        var checkpointFolder = CheckpointFolder(config.Model);
        using var loaded = LoadedModel.Load(checkpointFolder, device);
        var codec = loaded.Codec;
        var rate = loaded.Config.Codec.SampleRate;

        // The training songs serve twice: as the default prime and as the reference the output is measured against.
        var songs = TrainingSongs(loaded, progress, out var trainingNote);
        using var input = InputFrames(config, loaded, songs.FirstOrDefault(), out var primeLabel, out var targetSamples);
        if (reference is null && songs.Count > 0)
            reference = SongReference.Create(songs, codec.Hop, loaded.Config.Data.ValidateFraction, rate, progress);
        songs = [];   // the reference holds what it needs of them
        var bytesPerSample = config.Format == SampleFormat.S16 ? 2 : 4;
        // A RIFF file counts its bytes in 32 bits; refuse up front rather than after hours of work.
        if (targetSamples > (uint.MaxValue - 64L) / bytesPerSample)
            throw InputException.ForOption("--seconds", $"{targetSamples / (double)rate:F0} s of {config.Format} audio at {rate} Hz passes the 4 GiB limit of a WAV file");
        var frames = config.TeacherForced is null
            ? (targetSamples + codec.Hop - 1) / codec.Hop
            : input.shape[0];

        var outputDirectory = Path.GetDirectoryName(Path.GetFullPath(config.Output));
        if (outputDirectory is not null) Directory.CreateDirectory(outputDirectory);
        GenerationOutput Open(GenerationConfig one) =>
            new(one.Output, rate, one.Format, codec, loaded.Denormalize, targetSamples, reference, config.Model);
        GenerationMetrics Measured(GenerationConfig one, OutputMeter meter)
        {
            var metrics = new GenerationMetrics
            {
                Mode = one.TeacherForced is null ? "free" : "teacher-forced",
                Model = Path.GetFullPath(checkpointFolder),
                Codec = codec.Name,
                FrameLength = codec.FrameLength,
                SampleRate = rate,
                Frames = frames,
                Prime = primeLabel,
                PrimeFrames = one.TeacherForced is null ? input.shape[0] : 0,
                Noise = one.Noise,
                Seed = one.Seed,
                Audio = meter.Audio(),
                Music = meter.Music(),
                Reference = reference?.Points,
                MusicNote = trainingNote,
            };
            metrics.Write(GenerationMetrics.JsonPathFor(one.Output));
            return metrics;
        }

        var generator = new Generator(loaded.Model, loaded.Objective, config.ChunkFrames);
        var results = new List<(GenerationConfig, GenerationMetrics)>();
        if (config.TeacherForced is null && configs.Count > 1 && generator.UsesSampler)
        {
            var outputs = new List<GenerationOutput>();
            try
            {
                foreach (var one in configs) outputs.Add(Open(one));
                generator.FreeRunStreams(input, frames, new Feedback(config.Noise, config.Temperature), config.Seed, configs.Count,
                    (stream, chunk) => outputs[stream].Push(chunk), progress);
                foreach (var output in outputs) output.Complete();
                for (int i = 0; i < configs.Count; i++) results.Add((configs[i], Measured(configs[i], outputs[i].Meter)));
            }
            finally
            {
                foreach (var output in outputs) output.Dispose();
            }
            return results;
        }

        foreach (var one in configs)
        {
            // --predictions: the outputs kept as they come, copied out of their chunk (rows of [chunk, features]).
            var predictions = one.Predictions is null ? null : new List<(float[] Values, long Rows)>();
            using var output = Open(one);
            if (one.TeacherForced is null)
                generator.FreeRun(input, frames, new Feedback(one.Noise, one.Temperature), one.Seed, output.Push, progress);
            else
                generator.TeacherForced(input, output.Push, progress, new Feedback(Temperature: one.Temperature), one.Seed,
                    predictions is null ? null : chunk => predictions.Add((chunk.detach().to(ScalarType.Float32, CPU).contiguous().data<float>().ToArray(), chunk.shape[0])));
            output.Complete();
            if (predictions is not null) WritePredictions(one.Predictions!, input, predictions);
            results.Add((one, Measured(one, output.Meter)));
        }
        return results;
    }

    /// <summary>
    /// <c>--predictions</c>: the frames fed (<c>inputs</c>) and the model's outputs (<c>predictions</c>),
    /// both model space, float32, [frames, features], in one safetensors file.
    /// </summary>
    private static void WritePredictions(string path, Tensor input, List<(float[] Values, long Rows)> predictions)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        var rows = predictions.Sum(p => p.Rows);
        var values = predictions.SelectMany(p => p.Values).ToArray();
        using var scope = NewDisposeScope();
        Safetensors.Save(path, new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["inputs"] = input.to_type(ScalarType.Float32),
            ["predictions"] = tensor(values, [rows, rows == 0 ? 0 : values.Length / rows]),
        });
    }

    /// <summary>
    /// The checkpoint folder itself, or, given the folder <c>train --out</c> wrote, the checkpoint
    /// inside it: users name the run they trained, not its layout.
    /// </summary>
    private static string CheckpointFolder(string model)
    {
        var inside = Path.Combine(model, "checkpoint");
        return !File.Exists(Path.Combine(model, Checkpoint.ConfigFile)) && File.Exists(Path.Combine(inside, Checkpoint.ConfigFile))
            ? inside
            : model;
    }

    /// <summary>
    /// The frames the model is fed: a teacher-forced file's frames, or the prime (the given file,
    /// else the training song, else silence); in model space on the CPU. Also how many samples
    /// the output should have.
    /// </summary>
    private static Tensor InputFrames(GenerationConfig config, LoadedModel loaded, SongAudio? firstSong,
        out string label, out long targetSamples)
    {
        var codec = loaded.Codec;
        var rate = loaded.Config.Codec.SampleRate;
        if (config.TeacherForced is { } file)
        {
            var samples = AudioFile.ReadMono(file, rate);
            if (samples.Length == 0) throw InputException.ForFile(file, "holds no audio to teacher-force on");
            long wanted = config.Seconds is { } s ? Math.Min(samples.Length, (long)Math.Round(s * rate)) : samples.Length;
            targetSamples = wanted;
            label = Path.GetFullPath(file);
            // Frames up to the wanted length, plus the MDCT's completing frame, all from the file itself.
            var count = codec.FrameCount((int)wanted);
            return loaded.ModelSpace(samples, count);
        }

        targetSamples = (long)Math.Round((config.Seconds ?? GenerationConfig.DefaultSeconds) * rate);
        var primeFrames = (int)Math.Min(Math.Round(config.PrimeSeconds * rate / codec.Hop), int.MaxValue - 1);
        if (config.Prime is { } prime)
        {
            label = Path.GetFullPath(prime);
            var samples = AudioFile.ReadMono(prime, rate);
            return loaded.ModelSpace(samples, primeFrames);
        }
        if (firstSong is not null)
        {
            label = $"training song {firstSong.Path}";
            return loaded.ModelSpace(firstSong.Samples, Math.Min(primeFrames, firstSong.Frames));
        }
        label = "silence";
        return loaded.ModelSpace(new float[(primeFrames + 1) * codec.Hop], primeFrames);
    }

    /// <summary>
    /// Every training song still present and unchanged (same SHA-256), as audio at the codec's rate,
    /// in training's order; with a note naming the songs that are not.
    /// </summary>
    private static List<SongAudio> TrainingSongs(LoadedModel loaded, IProgressSink progress, out string? note)
    {
        var songs = new List<SongAudio>();
        var missing = new List<string>();
        foreach (var song in loaded.Config.Data.Songs)
        {
            if (!File.Exists(song.Path)) { missing.Add($"{song.Path} is gone"); continue; }
            if (!string.Equals(Checkpoint.Sha256Of(song.Path), song.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                missing.Add($"{song.Path} has changed since training");
                continue;
            }
            songs.Add(new SongAudio(song.Path, AudioFile.ReadMono(song.Path, loaded.Config.Codec.SampleRate), song.Frames));
        }
        note = null;
        if (missing.Count > 0)
        {
            note = $"training song {string.Join("; ", missing)}"
                + (songs.Count == 0
                    ? ": the output is measured for level and silence only (no tempo, timbre, copies or loops), and a free run without --prime is primed on silence"
                    : ": the output is measured against the other songs");
            progress.Note($"note: {note}");
        }
        return songs;
    }

    /// <summary>A checkpoint made ready to run: model with its weights, objective, codec, normalizer.</summary>
    private sealed class LoadedModel : IDisposable
    {
        private LoadedModel(CheckpointConfig config, FrameModel model, Objective objective, IFrameCodec codec, Normalizer? normalizer)
        {
            Config = config;
            Model = model;
            Objective = objective;
            Codec = codec;
            Normalizer = normalizer;
        }

        public CheckpointConfig Config { get; }

        public FrameModel Model { get; }

        public Objective Objective { get; }

        public IFrameCodec Codec { get; }

        /// <summary>Null when model space is the codec's own space.</summary>
        public Normalizer? Normalizer { get; }

        /// <summary>Codec features of model-space frames (a copy the caller disposes).</summary>
        public Tensor Denormalize(Tensor frames) => Normalizer?.Denormalize(frames) ?? frames.alias();

        public static LoadedModel Load(string directory, Device device)
        {
            using var checkpoint = Checkpoint.Load(directory);
            var config = checkpoint.Config;
            var configPath = Path.Combine(directory, Checkpoint.ConfigFile);
            IFrameCodec codec;
            try
            {
                // A spec or codec out of range is a fault of this config.json, not of an option.
                config.Model.Validate();
                codec = checkpoint.CreateCodec();
            }
            catch (InputException e)
            {
                throw InputException.ForFile(configPath, e.Message);
            }
            var objective = checkpoint.CreateObjective();
            // The model reads codec frames, and what its objective makes of its predictions is decoded and (free running) fed back.
            if (config.Model.InputSize != codec.FeatureCount || config.Model.OutputSize != objective.OutputSize(codec.FeatureCount))
                throw InputException.ForFile(configPath,
                    $"the model maps {config.Model.InputSize} to {config.Model.OutputSize} features, but {codec.Name} frames of {codec.FrameLength} have {codec.FeatureCount} and its objective predicts {objective.OutputSize(codec.FeatureCount)}");
            if (objective.FeedbackProblem(config.Model) is { } problem) throw InputException.ForFile(configPath, problem);
            var normalizer = checkpoint.CreateNormalizer();
            if (normalizer is not null && normalizer.FeatureCount != codec.FeatureCount)
            {
                normalizer.Dispose();
                throw InputException.ForFile(Path.Combine(directory, Checkpoint.NormalizerFile),
                    $"the normalizer has {normalizer.FeatureCount} features, the codec {codec.FeatureCount}");
            }
            FrameModel model;
            try
            {
                model = checkpoint.CreateModel(device);
            }
            catch
            {
                normalizer?.Dispose();
                throw;
            }
            return new LoadedModel(config, model, objective, codec, normalizer);
        }

        /// <summary>Encodes samples and keeps at most <paramref name="maxFrames"/> frames, in model space [frames, features] on the CPU.</summary>
        public Tensor ModelSpace(float[] samples, int maxFrames)
        {
            using var scope = NewDisposeScope();
            var frames = Codec.Encode(samples);
            var kept = frames.narrow(0, 0, Math.Min(maxFrames, frames.shape[0]));
            return (Normalizer?.Normalize(kept) ?? kept.clone()).MoveToOuterDisposeScope();
        }

        public void Dispose()
        {
            Model.Dispose();
            Normalizer?.Dispose();
        }
    }
}
