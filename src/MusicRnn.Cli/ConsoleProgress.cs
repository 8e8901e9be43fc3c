using System.Diagnostics;
using Spectre.Console;

namespace MusicRnn.Cli;

/// <summary>
/// Progress on the console: a Spectre.Console bar with ETA when stderr is a terminal,
/// plain periodic lines otherwise (logs, CI), nothing with <c>--quiet</c>.
/// Progress goes to stderr so stdout stays clean for results.
/// </summary>
internal sealed class ConsoleProgress : IProgressSink, IDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    private readonly IAnsiConsole _console;
    private readonly bool _interactive;
    private readonly Stopwatch _clock = new();
    private string _task = "";
    private long _total;
    private long _done;
    private string? _status;
    private TimeSpan _lastLine;

    private ConsoleProgress(bool interactive)
    {
        _interactive = interactive;
        _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    }

    /// <summary>The sink for a command: null-object when quiet.</summary>
    public static IProgressSink For(bool quiet) =>
        quiet ? NullProgress.Instance : new ConsoleProgress(!Console.IsErrorRedirected);

    public void Begin(string task, long total)
    {
        _task = task;
        _total = Math.Max(total, 1);
        _done = 0;
        _status = null;
        _clock.Restart();
        _lastLine = TimeSpan.Zero;
        Draw(force: true);
    }

    public void Report(long done, string? status = null)
    {
        _done = done;
        _status = status;
        Draw(force: false);
    }

    public void Note(string message)
    {
        if (_interactive) Console.Error.Write("\r\x1b[2K");
        Console.Error.WriteLine(message);
        Draw(force: true);
    }

    public void Complete()
    {
        _done = _total;
        Draw(force: true);
        if (_interactive) Console.Error.WriteLine();
    }

    public void Dispose() => _clock.Stop();

    private void Draw(bool force)
    {
        var elapsed = _clock.Elapsed;
        double fraction = Math.Clamp((double)_done / _total, 0, 1);
        string eta = fraction > 0 && fraction < 1
            ? Format(TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction))
            : "--:--";
        string status = _status is null ? "" : $"  {_status}";
        if (_interactive)
        {
            const int width = 30;
            int filled = (int)(fraction * width);
            string bar = new string('━', filled) + new string('─', width - filled);
            _console.Markup($"\r\x1b[2K[bold]{Markup.Escape(_task)}[/] [green]{bar}[/] {fraction,4:P0} {_done}/{_total}  ETA {eta}{Markup.Escape(status)}");
        }
        else if (force || elapsed - _lastLine >= PlainInterval)
        {
            _lastLine = elapsed;
            Console.Error.WriteLine($"{_task}: {_done}/{_total} ({fraction:P0}), elapsed {Format(elapsed)}, ETA {eta}{status}");
        }
    }

    private static string Format(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes:00}:{t.Seconds:00}";
}
