using System.CommandLine;
using MusicRnn.Audio;
using static TorchSharp.torch;

namespace MusicRnn.Cli;

/// <summary>Options that several commands share, with one place that interprets them.</summary>
internal static class CommonOptions
{
    public static Option<string> Device() => new("--device")
    {
        Description = "cpu, cuda or auto (CUDA when TorchSharp sees one)",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "CPU threads for tensor work (0 = all cores)",
        DefaultValueFactory = _ => 0,
    };

    public static Option<bool> Quiet() => new("--quiet", "-q")
    {
        Description = "print no progress",
    };

    public static Option<string> SampleFormat() => new("--sample-format")
    {
        Description = "s16 (16-bit PCM) or f32 (32-bit float)",
        DefaultValueFactory = _ => "s16",
    };

    /// <summary>Interprets <c>--sample-format</c>.</summary>
    public static SampleFormat ParseSampleFormat(string name) => name.Trim().ToLowerInvariant() switch
    {
        "s16" => Audio.SampleFormat.S16,
        "f32" => Audio.SampleFormat.F32,
        _ => throw InputException.ForOption("--sample-format", $"expected s16 or f32, got '{name}'"),
    };

    /// <summary>Applies <c>--threads</c> and resolves <c>--device</c>; both validated here once.</summary>
    public static Device Apply(string device, int threads)
    {
        if (threads < 0) throw InputException.ForOption("--threads", $"expected 0 (all cores) or a positive count, got {threads}");
        set_num_threads(threads == 0 ? Environment.ProcessorCount : threads);
        return device switch
        {
            "cpu" => CPU,
            "cuda" when cuda.is_available() => CUDA,
            "cuda" => throw InputException.ForOption("--device", "cuda was asked for but TorchSharp sees no CUDA device"),
            "auto" => cuda.is_available() ? CUDA : CPU,
            _ => throw InputException.ForOption("--device", $"expected cpu, cuda or auto, got '{device}'"),
        };
    }
}
