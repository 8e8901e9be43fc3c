using static TorchSharp.torch;

namespace MusicRnn.Training;

/// <summary>Where a training run writes and what it runs on; none of it changes the result.</summary>
public sealed record RunConfig
{
    /// <summary>Output folder: log.csv, validation.csv and the checkpoint/ folder.</summary>
    public required string OutDirectory { get; init; }

    /// <summary>Continue the checkpoint already in <see cref="OutDirectory"/> instead of starting afresh.</summary>
    public bool Resume { get; init; }

    /// <summary>Device the model and data live on.</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>The folder that holds the latest checkpoint.</summary>
    public string CheckpointDirectory => Path.Combine(OutDirectory, "checkpoint");

    /// <summary>Throws an <see cref="InputException"/> when the output folder cannot be used as asked.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutDirectory)) throw InputException.ForOption("--out", "expected a folder path, got nothing");
        if (File.Exists(OutDirectory)) throw InputException.ForOption("--out", $"expected a folder, but {OutDirectory} is a file");
        bool hasCheckpoint = Directory.Exists(CheckpointDirectory) || Directory.Exists(CheckpointDirectory + ".old");
        if (Resume && !hasCheckpoint)
            throw InputException.ForOption("--resume", $"expected {OutDirectory} to hold a checkpoint/ folder from an earlier run, found none");
        if (!Resume && hasCheckpoint)
            throw InputException.ForOption("--out", $"{OutDirectory} already holds a checkpoint; pass --resume to continue it or choose another folder");
    }
}
