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

    /// <summary>
    /// Whether <see cref="OutDirectory"/> holds a checkpoint, counting one whose save was cut
    /// short between moving the old folder aside and moving the new one in (Checkpoint.Load puts it back).
    /// </summary>
    public bool HasCheckpoint => Directory.Exists(CheckpointDirectory) || Directory.Exists(CheckpointDirectory + ".old");

    /// <summary>
    /// Whether a resume has to start from the beginning: the folder holds the log of a run that
    /// was stopped before its first checkpoint, so there is nothing to continue but nothing to lose.
    /// </summary>
    public bool ResumesFromScratch => Resume && !HasCheckpoint && File.Exists(Path.Combine(OutDirectory, TrainingLog.IterationFile));

    /// <summary>Throws an <see cref="InputException"/> when the output folder cannot be used as asked.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutDirectory)) throw InputException.ForOption("--out", "expected a folder path, got nothing");
        if (File.Exists(OutDirectory)) throw InputException.ForOption("--out", $"expected a folder, but {OutDirectory} is a file");
        // An empty or unrelated folder is refused (a mistyped --out should not silently start a new run),
        // but a run killed before its first checkpoint left log.csv and resumes from the start.
        if (Resume && !HasCheckpoint && !ResumesFromScratch)
            throw InputException.ForOption("--resume", $"expected {OutDirectory} to hold a checkpoint/ folder from an earlier run, found none (run without --resume to start one)");
        if (!Resume && HasCheckpoint)
            throw InputException.ForOption("--out", $"{OutDirectory} already holds a checkpoint; pass --resume to continue it or choose another folder");
    }
}
