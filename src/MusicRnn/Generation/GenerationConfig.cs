using MusicRnn.Audio;

namespace MusicRnn.Generation;

/// <summary>What <c>musicrnn generate</c> is asked to do (docs/ARCHITECTURE.md, "Generation").</summary>
public sealed record GenerationConfig
{
    /// <summary>The checkpoint folder to load (<c>--model</c>).</summary>
    public required string Model { get; init; }

    /// <summary>The WAV file to write; the metrics go beside it as FILE.json (<c>--out</c>).</summary>
    public required string Output { get; init; }

    /// <summary>Seconds of audio to make; null = 20 when free-running, the whole file when teacher-forced (<c>--seconds</c>).</summary>
    public double? Seconds { get; init; }

    /// <summary>Audio to prime the state on; null = the training song recorded in the checkpoint, else silence (<c>--prime</c>).</summary>
    public string? Prime { get; init; }

    /// <summary>Seconds from the start of the prime audio to run before generating (<c>--prime-seconds</c>).</summary>
    public double PrimeSeconds { get; init; } = 5;

    /// <summary>σ of Gaussian noise, in model space, added to every frame fed back (<c>--noise</c>).</summary>
    public double Noise { get; init; }

    /// <summary>Softmax temperature of a sample-level model's draws: 1 samples the model's distribution, 0 takes the most likely level (<c>--temperature</c>).</summary>
    public double Temperature { get; init; } = 1;

    /// <summary>Seed of the noise or the draws (<c>--seed</c>).</summary>
    public long Seed { get; init; }

    /// <summary>When set, feed this file's real frames and write the model's predictions (<c>--teacher-forced</c>).</summary>
    public string? TeacherForced { get; init; }

    /// <summary>
    /// Teacher-forced only: also write the model-space frames fed and the model's outputs, float32
    /// [frames, features] each, as <c>inputs</c> and <c>predictions</c> in this safetensors file, for
    /// checking another implementation against the model (tests/interop) (<c>--predictions</c>).
    /// </summary>
    public string? Predictions { get; init; }

    /// <summary>Sample format of the WAV (<c>--sample-format</c>).</summary>
    public SampleFormat Format { get; init; } = SampleFormat.S16;

    /// <summary>Frames per generation chunk (and per dispose scope); bounds memory.</summary>
    public int ChunkFrames { get; init; } = 256;

    /// <summary>Default length of free-running output.</summary>
    public const double DefaultSeconds = 20;

    /// <summary>Throws an <see cref="InputException"/> naming the first option that is out of range (reads no file).</summary>
    public void Validate()
    {
        if (Seconds is { } s && !(double.IsFinite(s) && s > 0))
            throw InputException.ForOption("--seconds", $"expected a positive number of seconds, got {s}");
        if (!(double.IsFinite(PrimeSeconds) && PrimeSeconds >= 0))
            throw InputException.ForOption("--prime-seconds", $"expected zero or a positive number of seconds, got {PrimeSeconds}");
        if (!(double.IsFinite(Noise) && Noise >= 0))
            throw InputException.ForOption("--noise", $"expected σ ≥ 0, got {Noise}");
        if (!(double.IsFinite(Temperature) && Temperature >= 0 && Temperature <= 100))
            throw InputException.ForOption("--temperature", $"expected a temperature from 0 (the most likely level) to 100, got {Temperature}");
        if (TeacherForced is not null && Prime is not null)
            throw InputException.ForOption("--prime", "teacher forcing feeds the real frames of --teacher-forced; there is nothing to prime");
        if (TeacherForced is not null && Noise > 0)
            throw InputException.ForOption("--noise", "teacher forcing feeds real frames, not predictions, so there is nothing to add noise to");
        if (Predictions is not null && TeacherForced is null)
            throw InputException.ForOption("--predictions", "the predictions are written for the real frames of --teacher-forced; name that file too");
        if (Predictions is not null && string.IsNullOrWhiteSpace(Predictions))
            throw InputException.ForOption("--predictions", "expected a file name");
        if (string.IsNullOrWhiteSpace(Output))
            throw InputException.ForOption("--out", "expected a file name");
        if (string.Equals(Path.GetExtension(Output), ".json", StringComparison.OrdinalIgnoreCase))
            throw InputException.ForOption("--out", $"'{Output}' would be overwritten by the metrics written beside it as .json; name the WAV file");
        if (ChunkFrames < 1)
            throw InputException.ForOption("chunk", $"expected a positive number of frames, got {ChunkFrames}");
    }

    /// <summary>
    /// The files of <c>--streams N</c>: FILE-i.wav seeded seed + i − 1 for i = 1 … N, or this file
    /// alone when N = 1. Throws an <see cref="InputException"/> naming <c>--streams</c> outside 1 … 1000.
    /// </summary>
    public IReadOnlyList<GenerationConfig> Streams(int count)
    {
        if (count is < 1 or > MaxStreams) throw InputException.ForOption("--streams", $"expected 1 to {MaxStreams} files, got {count}");
        if (count == 1) return [this];
        string stem = Path.Combine(Path.GetDirectoryName(Output) ?? "", Path.GetFileNameWithoutExtension(Output));
        string extension = Path.GetExtension(Output) is { Length: > 0 } e ? e : ".wav";
        return [.. Enumerable.Range(1, count).Select(i => this with { Output = $"{stem}-{i}{extension}", Seed = Seed + i - 1 })];
    }

    /// <summary>The most files one <c>--streams</c> writes.</summary>
    public const int MaxStreams = 1000;
}
