using MusicRnn.Models;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Performance;

/// <summary>
/// How fast the default sample-level model trains, in samples per second: one full update of
/// <c>train --predict samples --arch</c> (<see cref="SampleLevelDefaults"/>: forward over the
/// streams' windows from the carried state, the cross-entropy of the objective, backward, the
/// norm clip, the Adam step), timed after warm-up updates, on the caller's device (on the CPU with
/// the caller's libtorch thread count). bench/peer times the same update in PyTorch.
/// </summary>
/// <param name="Arch">The frame tier's architecture (its sample-level default variant).</param>
/// <param name="Hidden">The frame tier's hidden units.</param>
/// <param name="MlpSize">The sample tier's width.</param>
/// <param name="Parameters">The scalars the model trains (a peer of the same model has as many).</param>
/// <param name="Streams">Parallel streams per update.</param>
/// <param name="Window">Samples per stream per update.</param>
/// <param name="SamplesPerUpdate">Streams × window: the samples one update trains on.</param>
/// <param name="Milliseconds">Wall time of each timed update.</param>
/// <param name="SamplesPerSecond">SamplesPerUpdate per second of the best update.</param>
/// <param name="SamplesPerSecondMedian">The same for the median update.</param>
/// <param name="LossBits">The loss of the last update, bits per sample (about log₂ 256 = 8 on the stand-in song of uniform levels).</param>
public sealed record SampleTrainingSpeed(string Arch, int Hidden, int MlpSize, long Parameters, int Streams, int Window, long SamplesPerUpdate, Timing Milliseconds, double SamplesPerSecond, double SamplesPerSecondMedian, double LossBits)
{
    /// <summary>
    /// Builds the default model once per frame tier in <paramref name="archs"/> (seeded), runs
    /// <paramref name="warmup"/> untimed updates and <paramref name="updates"/> timed ones each,
    /// rounds interleaved across the tiers so a burst of someone else's load hits them alike.
    /// </summary>
    public static IReadOnlyList<SampleTrainingSpeed> Measure(IReadOnlyList<Architecture> archs, int streams, int window, int warmup, int updates, Device device, IProgressSink progress)
    {
        ArgumentNullException.ThrowIfNull(archs);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streams);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(updates);
        manual_seed(1);
        var workers = new List<SampleTrainingUpdate>();
        var runs = archs.Select(_ => new List<double>()).ToList();
        progress.Begin("sample-level training updates", (long)archs.Count * (warmup + updates));
        long done = 0;
        try
        {
            foreach (var arch in archs) workers.Add(new SampleTrainingUpdate(arch, streams, window, warmup + updates, device));
            for (var r = 0; r < warmup + updates; r++)
                for (var i = 0; i < workers.Count; i++)
                {
                    var ms = workers[i].Step();
                    if (r >= warmup) runs[i].Add(ms);
                    progress.Report(++done, Architectures.NameOf(archs[i]));
                }
            progress.Complete();
            var spec = SampleLevelDefaults.Model;
            return [.. archs.Select((arch, i) =>
            {
                var timing = new Timing(runs[i]);
                long samples = workers[i].SamplesPerUpdate;
                return new SampleTrainingSpeed(Architectures.NameOf(arch), spec.HiddenSize, spec.SampleLevel!.MlpSize, workers[i].Parameters, streams, window, samples,
                    timing, samples / (timing.Best / 1e3), samples / (timing.Median / 1e3), workers[i].LastLoss);
            })];
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
    }
}
