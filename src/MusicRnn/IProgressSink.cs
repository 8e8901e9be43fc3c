namespace MusicRnn;

/// <summary>
/// How long-running library work reports progress. The library never writes to the
/// console itself; the command line supplies a sink that draws a bar or prints lines.
/// </summary>
public interface IProgressSink
{
    /// <summary>Starts (or restarts) a task of <paramref name="total"/> units.</summary>
    void Begin(string task, long total);

    /// <summary>Reports that <paramref name="done"/> of the current task's units are complete.</summary>
    void Report(long done, string? status = null);

    /// <summary>A message worth a line of its own (a note, a warning, a result).</summary>
    void Note(string message);

    /// <summary>Finishes the current task.</summary>
    void Complete();
}

/// <summary>A sink that discards everything (<c>--quiet</c>, tests).</summary>
public sealed class NullProgress : IProgressSink
{
    public static readonly NullProgress Instance = new();

    private NullProgress() { }

    public void Begin(string task, long total) { }

    public void Report(long done, string? status = null) { }

    public void Note(string message) { }

    public void Complete() { }
}
