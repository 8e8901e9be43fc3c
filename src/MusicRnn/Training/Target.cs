namespace MusicRnn.Training;

/// <summary>Which frame a frame model is trained to output for input frame x_t (<c>--objective</c>).</summary>
public enum Target
{
    /// <summary>The next frame x_{t+1}: prediction, what generation needs (default).</summary>
    Next,
    /// <summary>The frame itself x_t: what the essay's code actually trained.</summary>
    Reconstruct,
}

/// <summary>What a <see cref="Target"/> means for positions.</summary>
public static class TargetExtensions
{
    /// <summary>How far the target is ahead of the input: 1 for the next frame, 0 for the frame itself.</summary>
    public static int Shift(this Target target) => target == Target.Next ? 1 : 0;
}
