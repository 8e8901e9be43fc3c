using System.Text.Json;
using System.Text.Json.Serialization;
using MusicRnn.Codecs;
using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Training;

namespace MusicRnn.Checkpoints;

/// <summary>
/// The contents of a checkpoint's config.json (docs/ARCHITECTURE.md, "Checkpoints"): everything
/// needed to rebuild the model, its objective, decode its frames, and continue its training
/// exactly. Written with snake_case keys and lower-case enum names (the command line's spellings).
/// </summary>
public sealed record CheckpointConfig
{
    /// <summary>The format's fixed name.</summary>
    public const string FormatName = "musicrnn-checkpoint";

    /// <summary>
    /// The version this code writes. Version 2 keeps the normalizer's statistics in a file of their
    /// own and names the objective; version 1 (statistics inside weights.safetensors, the objective
    /// always the squared error) is still read.
    /// </summary>
    public const int CurrentVersion = 2;

    /// <summary>The oldest version this code reads.</summary>
    public const int OldestVersion = 1;

    /// <summary>Always <see cref="FormatName"/>; anything else is not a MusicRnn checkpoint.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>Format version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>What the model predicts and how that is scored (version 1 had only the squared error).</summary>
    public ObjectiveSettings Objective { get; init; } = new(FrameRegression.MetricName);

    /// <summary>The model's architecture and sizes.</summary>
    public required ModelSpec Model { get; init; }

    /// <summary>How frames were made from audio.</summary>
    public required CodecSettings Codec { get; init; }

    /// <summary>How features were normalized (the statistics are in normalizer.safetensors).</summary>
    public required NormalizerSettings Normalizer { get; init; }

    /// <summary>What was trained on and towards what target.</summary>
    public required DataSettings Data { get; init; }

    /// <summary>The truncated-BPTT settings (epochs = the run's target; the rest must match on resume).</summary>
    public required TrainingConfig Training { get; init; }

    /// <summary>How far training got.</summary>
    public required ProgressSettings Progress { get; init; }

    /// <summary>The optimizer's name and scalar state (its tensors are in optimizer.safetensors).</summary>
    public required OptimizerSettings Optimizer { get; init; }

    /// <summary>SHA-256 (lower-case hex) of each tensor file, by file name.</summary>
    public required IReadOnlyDictionary<string, string> Tensors { get; init; }

    /// <summary>The JSON settings every checkpoint file uses.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(new LowerCaseNamingPolicy(), allowIntegerValues: false) },
    };

    private sealed class LowerCaseNamingPolicy : JsonNamingPolicy
    {
        public override string ConvertName(string name) => name.ToLowerInvariant();
    }
}

/// <summary>The normalizer a checkpoint's model space uses.</summary>
/// <param name="Kind">zscore, minmax or none; shift and scale are normalizer.safetensors' normalizer.shift / normalizer.scale.</param>
public sealed record NormalizerSettings(string Kind);

/// <summary>Which objective a checkpoint's model was trained under.</summary>
/// <param name="Name">The objective's <see cref="Objective.Name"/> ("mse").</param>
public sealed record ObjectiveSettings(string Name);

/// <summary>One training song, identified by content so a resume can tell it is the same audio.</summary>
/// <param name="Path">Full path the audio was read from.</param>
/// <param name="Sha256">SHA-256 of the file's bytes, lower-case hex.</param>
/// <param name="Frames">Frames the codec made of it.</param>
public sealed record SongRecord(string Path, string Sha256, int Frames);

/// <summary>What a checkpoint was trained on.</summary>
/// <param name="Target">next or reconstruct; kept under its version-1 key "objective".</param>
/// <param name="ValidateFraction">Fraction of each song held out at its end.</param>
/// <param name="Songs">The training songs in training order.</param>
public sealed record DataSettings([property: JsonPropertyName("objective")] Target Target, double ValidateFraction, IReadOnlyList<SongRecord> Songs);

/// <summary>How far training got when the checkpoint was written (always at an epoch's end).</summary>
/// <param name="Epoch">Epochs completed.</param>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="Seconds">Training seconds spent so far, over all runs.</param>
/// <param name="RngSeed">
/// Seed the weights were initialised from. Training itself draws no random numbers (windows
/// run in order, no dropout), so weights, optimizer state and this position are all an exact
/// resume needs.
/// </param>
public sealed record ProgressSettings(int Epoch, long Iteration, double Seconds, long RngSeed);

/// <summary>The optimizer's identity and scalar state.</summary>
/// <param name="Name">Optimizer name.</param>
/// <param name="Scalars">Counters and other scalars, named "{parameter}.{field}".</param>
public sealed record OptimizerSettings(string Name, IReadOnlyDictionary<string, double> Scalars);
