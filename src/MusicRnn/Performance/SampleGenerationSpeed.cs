using System.Diagnostics;
using MusicRnn.Generation;
using MusicRnn.Models;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Performance;

/// <summary>
/// How fast a sample-level model generates, as a multiple of real time at its sample rate: the
/// free-running loop of <c>generate</c> (<see cref="SampleLevelSampler"/>) on the default model
/// (<see cref="SampleLevelDefaults"/>) with random weights, which cost what trained ones cost
/// (docs/ARCHITECTURE.md, "Generation"). Measured with the caller's libtorch thread count.
/// </summary>
/// <param name="Arch">The frame tier's architecture.</param>
/// <param name="Streams">Streams generated side by side.</param>
/// <param name="AudioSeconds">Seconds of audio each timed run makes per stream.</param>
/// <param name="Milliseconds">Wall time of each timed run.</param>
/// <param name="TimesRealTime">Audio seconds (all streams) per wall second of the best run.</param>
/// <param name="TimesRealTimeMedian">The same for the median run.</param>
public sealed record SampleGenerationSpeed(string Arch, int Streams, double AudioSeconds, Timing Milliseconds, double TimesRealTime, double TimesRealTimeMedian)
{
    /// <summary>Builds the default model with <paramref name="arch"/> as its frame tier, warms up, and times <paramref name="runs"/> runs.</summary>
    public static SampleGenerationSpeed Measure(Architecture arch = Architecture.Gru, int streams = 1, double audioSeconds = 2, int runs = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(audioSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(runs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streams);
        var spec = SampleLevelDefaults.ModelFor(arch);
        manual_seed(1);
        using var model = (SampleRnnModel)ModelFactory.Create(spec);
        model.eval();
        var sampler = new SampleLevelSampler(model);
        long samples = (long)Math.Round(audioSeconds * SampleLevelDefaults.SampleRate);
        using var noGrad = no_grad();
        using var state = model.InitialState(streams, CPU, ScalarType.Float32);
        sampler.Run(state, Math.Min(samples, 1024), 1, 0, 256, _ => { });

        var milliseconds = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            sampler.Run(state, samples, 1, run, 256, _ => { });
            milliseconds.Add(clock.Elapsed.TotalMilliseconds);
        }
        var timing = new Timing(milliseconds);
        double seconds = (double)samples * streams / SampleLevelDefaults.SampleRate;
        return new SampleGenerationSpeed(Architectures.NameOf(arch), streams, audioSeconds, timing, seconds / (timing.Best / 1000), seconds / (timing.Median / 1000));
    }
}
