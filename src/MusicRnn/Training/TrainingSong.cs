using static TorchSharp.torch;

namespace MusicRnn.Training;

/// <summary>
/// One song as the trainer sees it: normalized frames, split into a training head and a
/// held-out validation tail. Each song is its own stream: no state crosses songs.
/// </summary>
public sealed class TrainingSong
{
    /// <param name="path">Where the audio came from (for messages and the checkpoint).</param>
    /// <param name="frames">Normalized frames [F, features], on the training device; the caller keeps ownership.</param>
    /// <param name="validateFraction">Fraction of the frames held out at the end, in [0, 1).</param>
    public TrainingSong(string path, Tensor frames, double validateFraction)
    {
        if (frames.dim() != 2) throw new ArgumentException($"expected frames [F, features], got [{string.Join(", ", frames.shape)}]", nameof(frames));
        Path = path;
        Frames = frames;
        FrameCount = (int)frames.shape[0];
        TailStart = FrameCount - TailFrames(FrameCount, validateFraction);
    }

    /// <summary>Where the audio came from.</summary>
    public string Path { get; }

    /// <summary>Normalized frames [F, features].</summary>
    public Tensor Frames { get; }

    /// <summary>F, the number of frames.</summary>
    public int FrameCount { get; }

    /// <summary>Index of the first held-out frame (= F when nothing is held out).</summary>
    public int TailStart { get; }

    /// <summary>
    /// Frames held out for validation: the fraction rounded, but at least one whenever the
    /// fraction is positive, so asking for validation always yields some.
    /// </summary>
    public static int TailFrames(int frameCount, double validateFraction) =>
        validateFraction <= 0 ? 0 : Math.Clamp((int)Math.Round(frameCount * validateFraction), 1, frameCount);

    /// <summary>
    /// Input positions usable for training: every t in the head whose target t + <paramref name="targetShift"/>
    /// is in the head too (when predicting the next frame, the last head frame is only a target).
    /// </summary>
    public int TrainLength(int targetShift) => Math.Max(0, TailStart - targetShift);

    /// <summary>The training positions of a song of <paramref name="frameCount"/> frames, before it is one.</summary>
    public static int TrainLength(int frameCount, double validateFraction, int targetShift) =>
        Math.Max(0, frameCount - TailFrames(frameCount, validateFraction) - targetShift);
}
