using MusicRnn.Audio;
using MusicRnn.Codecs;
using MusicRnn.Experiments;
using MusicRnn.Models;
using MusicRnn.Synthesis;

namespace MusicRnn.Tests.Experiments;

/// <summary>
/// Bench settings small enough for a test: two seconds of the synthesized track at 8 kHz in
/// 64-sample rfft frames (250 frames), 8 hidden units, windows of 20 every 10, one epoch,
/// half-second samples. Every model trains in well under a second.
/// </summary>
internal static class TinyBench
{
    public static BenchConfig Config(Architecture[] archs, int[] layers) => Presets.Quick with
    {
        TrackSeconds = 2,
        Data = Presets.Quick.Data with { Codec = new CodecSettings("rfft", 64, 8000) },
        Archs = archs,
        Layers = layers,
        Model = new ModelSpec { HiddenSize = 8, Modules = 4 },
        Training = Presets.Quick.Training with { Window = 20, Stride = 10, Epochs = 1 },
        SampleSeconds = 0.5,
        PrimeSeconds = 0.5,
    };

    /// <summary>The bench trained on <paramref name="audio"/> instead of its synthesized track.</summary>
    public static BenchConfig WithAudio(this BenchConfig config, params string[] audio) => config with { Data = config.Data with { Audio = audio } };

    /// <summary>Writes the synthesized track to <paramref name="path"/> so several runs can share one file.</summary>
    public static string Track(string path, double seconds = 2, int sampleRate = 8000)
    {
        var spec = new TrackSpec { Seconds = seconds, SampleRate = sampleRate };
        AudioFile.WriteWav(path, TrackSynthesizer.Render(spec), spec.SampleRate, SampleFormat.S16);
        return path;
    }

    /// <summary>A sink that keeps every note, so a test can read what the run said.</summary>
    public sealed class Notes : IProgressSink
    {
        public List<string> Lines { get; } = [];

        public void Begin(string task, long total) { }

        public void Report(long done, string? status = null) { }

        public void Note(string message)
        {
            lock (Lines) Lines.Add(message);
        }

        public void Complete() { }
    }
}
