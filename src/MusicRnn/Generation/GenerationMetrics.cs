using System.Text.Json;
using System.Text.Json.Serialization;
using MusicRnn.Analysis;

namespace MusicRnn.Generation;

/// <summary>
/// What <c>generate</c> writes to FILE.json beside FILE.wav: how the audio was made, its level and
/// silence (<see cref="AudioMetrics"/>), and, measured on the decoded audio against the training
/// songs, its tempo, timbre, copies and loops (<see cref="MusicalMetrics"/>) with the song's own
/// figures to read them against (<see cref="MusicalReferencePoints"/>).
/// </summary>
public sealed record GenerationMetrics
{
    /// <summary>"free" (predictions fed back) or "teacher-forced" (real frames fed).</summary>
    public string Mode { get; init; } = "free";

    /// <summary>The checkpoint folder the model came from.</summary>
    public string? Model { get; init; }

    /// <summary>Codec name, frame length and sample rate of the output.</summary>
    public string Codec { get; init; } = "";

    /// <summary>Samples per frame (the codec's frame length).</summary>
    public int FrameLength { get; init; }

    /// <summary>Output sample rate in Hz.</summary>
    public int SampleRate { get; init; }

    /// <summary>Frames the model produced.</summary>
    public long Frames { get; init; }

    /// <summary>Where the priming came from (a file, the training song, or silence) and how many frames it had.</summary>
    public string Prime { get; init; } = "";

    /// <summary>Priming frames run before generating.</summary>
    public long PrimeFrames { get; init; }

    /// <summary>σ of the noise added to frames fed back (model space).</summary>
    public double Noise { get; init; }

    /// <summary>Seed of that noise.</summary>
    public long Seed { get; init; }

    /// <summary>Level, silence and flatness of the written audio (after clipping).</summary>
    public AudioMetrics Audio { get; init; } = new();

    /// <summary>Tempo, timbre distance, copies of the training audio and loops; null when no training song was available.</summary>
    public MusicalMetrics? Music { get; init; }

    /// <summary>The training songs measured the same way (held-out audio, halves, noise); null with <see cref="Music"/>.</summary>
    public MusicalReferencePoints? Reference { get; init; }

    /// <summary>Which training songs were missing or changed, when any were (and so what <see cref="Music"/> is measured against).</summary>
    public string? MusicNote { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>FILE.json for FILE.wav (any extension is replaced).</summary>
    public static string JsonPathFor(string wavPath) => Path.ChangeExtension(wavPath, ".json");

    /// <summary>Writes the metrics as indented camelCase JSON.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Reads metrics written by <see cref="Write"/>.</summary>
    public static GenerationMetrics Read(string path) =>
        JsonSerializer.Deserialize<GenerationMetrics>(File.ReadAllText(path), Json)
        ?? throw InputException.ForFile(path, "holds no generation metrics");
}
