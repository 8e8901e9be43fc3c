namespace MusicRnn.Training;

/// <summary>
/// Training met a non-finite loss or gradient and stopped before that step touched the
/// weights. The message names the iteration and, once the session knows it, the folder
/// that still holds the last good checkpoint.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(long iteration, string? checkpointDirectory)
        : base(checkpointDirectory is null
            ? $"diverged at iteration {iteration} (non-finite loss or gradient); no checkpoint was written yet"
            : $"diverged at iteration {iteration} (non-finite loss or gradient); last good checkpoint kept in {checkpointDirectory}")
    {
        Iteration = iteration;
        CheckpointDirectory = checkpointDirectory;
    }

    /// <summary>The 1-based iteration whose loss or gradient was not finite.</summary>
    public long Iteration { get; }

    /// <summary>Where the last good checkpoint is, if one was written.</summary>
    public string? CheckpointDirectory { get; }
}
