namespace MusicRnn.Training;

/// <summary>What the model is trained to output for input frame x_t.</summary>
public enum Objective
{
    /// <summary>The next frame x_{t+1}: prediction, what generation needs (default).</summary>
    Next,
    /// <summary>The frame itself x_t: what the essay's code actually trained.</summary>
    Reconstruct,
}
