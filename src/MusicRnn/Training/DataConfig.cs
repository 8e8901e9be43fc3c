using MusicRnn.Audio;
using MusicRnn.Codecs;

namespace MusicRnn.Training;

/// <summary>What a model is trained on: which audio, how it becomes frames, and the target (docs/ARCHITECTURE.md, "Training").</summary>
public sealed record DataConfig
{
    /// <summary>File extensions taken from folders given to <c>--audio</c> (named files may have any).</summary>
    public static IReadOnlyList<string> AudioExtensions { get; } = [".wav", ".wave", ".mp3", ".ogg", ".oga"];

    /// <summary>Audio files or folders (every audio file inside, recursively, sorted by path).</summary>
    public required IReadOnlyList<string> Audio { get; init; }

    /// <summary>
    /// How audio becomes frames: codec, frame length, sample rate and the spectral codecs' settings.
    /// By default log-magnitude STFT frames of 1024 samples every 256 (513 features, 86 frames a
    /// second at 22050 Hz): on a real song the networks learn these far below the mean frame, where
    /// on packed rfft frames they did not reach it (bench/results/2026-12-01-codec-comparison).
    /// </summary>
    public CodecSettings Codec { get; init; } = new("stft", 1024, CodecFactory.DefaultSampleRate);

    /// <summary>How features are mapped to model space.</summary>
    public NormalizerKind Normalize { get; init; } = NormalizerKind.ZScore;

    /// <summary>Which frame is the target of x_t (<c>--objective</c>).</summary>
    public Target Target { get; init; } = Target.Next;

    /// <summary>Fraction of each song held out at its end for validation, in [0, 0.5].</summary>
    public double ValidateFraction { get; init; } = 0.1;

    /// <summary>Keep only the first this many frames of each song (null = all); the essay's code trained on a song's start.</summary>
    public int? MaxFrames { get; init; }

    /// <summary>Throws an <see cref="InputException"/> naming the first option that is out of range (reads no audio).</summary>
    public void Validate()
    {
        if (Audio.Count == 0) throw InputException.ForOption("--audio", "expected at least one audio file or folder, got none");
        ValidateSettings();
    }

    /// <summary>As <see cref="Validate"/>, for everything but the audio list (a bench may synthesize its song).</summary>
    public void ValidateSettings()
    {
        Codec.Validate();
        if (!double.IsFinite(ValidateFraction) || ValidateFraction < 0 || ValidateFraction > 0.5)
            throw InputException.ForOption("--validate", $"expected a held-out fraction from 0 to 0.5, got {ValidateFraction}");
        if (MaxFrames is <= 0) throw InputException.ForOption("--max-frames", $"expected a positive number of frames, got {MaxFrames}");
    }

    /// <summary>
    /// The audio files <see cref="Audio"/> names: files as given, folders expanded to the
    /// audio files inside (recursively, sorted by path). Each is probed, so a missing or
    /// undecodable file is rejected here, before any training work.
    /// </summary>
    public IReadOnlyList<string> ResolveFiles()
    {
        var files = new List<string>();
        foreach (string entry in Audio)
        {
            if (File.Exists(entry))
            {
                files.Add(Path.GetFullPath(entry));
            }
            else if (Directory.Exists(entry))
            {
                var inside = Directory.EnumerateFiles(entry, "*", SearchOption.AllDirectories)
                    .Where(f => AudioExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Select(Path.GetFullPath)
                    .OrderBy(f => f, StringComparer.Ordinal)
                    .ToArray();
                if (inside.Length == 0)
                    throw InputException.ForFile(entry, $"folder holds no audio file ({string.Join(", ", AudioExtensions)})");
                files.AddRange(inside);
            }
            else
            {
                throw InputException.ForFile(entry, "no such file or folder");
            }
        }
        var distinct = files.Distinct(StringComparer.Ordinal).ToArray();
        foreach (string file in distinct) AudioFile.Probe(file);
        return distinct;
    }
}
