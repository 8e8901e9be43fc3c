using System.Diagnostics;
using System.Globalization;

namespace MusicRnn.Tests.Reliability;

/// <summary>
/// Runs the real <c>musicrnn</c> as a child process (<c>dotnet MusicRnn.Cli.dll …</c>, the copy the
/// test project's build puts beside the tests), for what an in-process run cannot show: a SIGKILL,
/// a second process holding a lock, the peak memory of a whole process.
/// </summary>
internal static class ChildCli
{
    /// <summary>What a finished child did.</summary>
    /// <param name="ExitCode">Its exit code (137 when killed).</param>
    /// <param name="Out">Its stdout.</param>
    /// <param name="Error">Its stderr.</param>
    /// <param name="Killed">Whether the test killed it.</param>
    /// <param name="PeakRssBytes">Its peak resident memory, when measured through /usr/bin/time.</param>
    public sealed record Result(int ExitCode, string Out, string Error, bool Killed, long? PeakRssBytes);

    private static string CliDll => Path.Combine(AppContext.BaseDirectory, "MusicRnn.Cli.dll");

    private const string TimeTool = "/usr/bin/time";

    /// <summary>Whether peak memory can be measured here (GNU time is installed).</summary>
    public static bool CanMeasureMemory => File.Exists(TimeTool);

    /// <summary>Starts <c>musicrnn <paramref name="args"/></c>; stdout and stderr are collected in the background.</summary>
    public static Running Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, bool measureMemory = false)
    {
        var info = new ProcessStartInfo
        {
            FileName = measureMemory ? TimeTool : "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (measureMemory)
        {
            // GNU time appends "%M" (peak RSS in KiB) as the last line of stderr, after the child's own output.
            info.ArgumentList.Add("-f");
            info.ArgumentList.Add("MUSICRNN_PEAK_RSS_KB=%M");
            info.ArgumentList.Add("dotnet");
        }
        info.ArgumentList.Add(CliDll);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return new Running(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Runs to the end (or fails the test after <paramref name="timeout"/>).</summary>
    public static Result Run(IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null, bool measureMemory = false)
    {
        using var running = Start(args, environment, measureMemory);
        return running.Wait(timeout);
    }

    /// <summary>A started child.</summary>
    public sealed class Running : IDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _out;
        private readonly Task<string> _error;
        private bool _killed;

        public Running(Process process)
        {
            _process = process;
            _out = process.StandardOutput.ReadToEndAsync();
            _error = process.StandardError.ReadToEndAsync();
        }

        public int Id => _process.Id;

        public bool HasExited => _process.HasExited;

        /// <summary>SIGKILL to the child and anything it started: no handler, no finally block, no flush runs.</summary>
        public void Kill()
        {
            _killed = true;
            try { _process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { /* it had already exited */ }
        }

        public Result Wait(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout))
            {
                Kill();
                _process.WaitForExit();
                throw new TimeoutException($"musicrnn did not finish within {timeout.TotalSeconds} s; stderr: {_error.Result}");
            }
            _process.WaitForExit(); // lets the output readers finish
            string error = _error.Result;
            long? peak = null;
            const string marker = "MUSICRNN_PEAK_RSS_KB=";
            int at = error.LastIndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                peak = long.Parse(error[(at + marker.Length)..].Trim(), CultureInfo.InvariantCulture) * 1024;
                error = error[..at];
                // GNU time also reports a non-zero exit on its own line; the exit code already says it.
                int note = error.LastIndexOf("Command exited with non-zero status", StringComparison.Ordinal);
                if (note >= 0) error = error[..note];
            }
            return new Result(_process.ExitCode, _out.Result, error, _killed, peak);
        }

        public void Dispose()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
        }
    }
}
