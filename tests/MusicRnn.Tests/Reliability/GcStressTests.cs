using MusicRnn.Audio;
using MusicRnn.Codecs;
using MusicRnn.Generation;
using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Synthesis;
using MusicRnn.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Reliability;

/// <summary>
/// The scalar race (docs/ARCHITECTURE.md, "Memory and the scalar race"): TorchSharp lets the
/// collector finalize a temporary Scalar while libtorch reads it, which ends the process. With a
/// thread forcing a collection without pause (a collection the no-collection guard cannot hold
/// off), every architecture trains, validates and generates, with and without noise, and the
/// process lives. The 20-run form is bench/gc-stress.sh.
/// </summary>
[Collection("Console")]
public sealed class GcStressTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Should_train_validate_and_generate_while_the_collector_runs_without_pause()
    {
        // Given two seconds of the synthesized track at 8 kHz, and a thread that collects in a loop
        string song = _dir.File("track.wav");
        AudioFile.WriteWav(song, TrackSynthesizer.Render(new TrackSpec { Seconds = 2, SampleRate = 8000, Seed = 4 }), 8000, SampleFormat.S16);
        var data = new DataConfig { Audio = [song], Codec = new CodecSettings("rfft", 64, 8000) };
        var training = new TrainingConfig { Window = 20, Stride = 10, Batch = 2, Epochs = 1, Seed = 1 };
        long collections;
        using (var stress = new CollectorStress())
        {
            // When every architecture trains (two layers, two streams), validates and generates
            using var songs = TrainingData.Load(data, CPU, NullProgress.Instance, training.Window);
            foreach (var arch in Architectures.Recurrent)
            {
                string run = _dir.File(arch.Name);
                var spec = new ModelSpec { Arch = arch.Arch, HiddenSize = 16, Layers = 2, Modules = 4 };
                var result = TrainingSession.Run(songs, new FrameRegression(Target.Next), spec, training, new RunConfig { OutDirectory = run }, NullProgress.Instance, ModelFactory.Create);
                Assert.True(double.IsFinite(result.Epochs[^1].ValidationLoss!.Value));
                foreach (var noise in new[] { 0.0, 0.2 })
                    GenerationRun.Run(new GenerationConfig { Model = run, Output = _dir.File($"{arch.Name}-{noise}.wav"), Seconds = 0.5, Noise = noise, PrimeSeconds = 0.5 }, CPU, NullProgress.Instance);
            }
            collections = stress.Collections;
        }

        // Then the process is still here to say so, after many forced collections
        output.WriteLine($"{collections} forced collections");
        Assert.True(collections > 100, $"only {collections} collections were forced");
    }
}

/// <summary>A background thread that forces a full blocking collection over and over until disposed.</summary>
internal sealed class CollectorStress : IDisposable
{
    private readonly Thread thread;
    private volatile bool stop;
    private long collections;

    public CollectorStress()
    {
        thread = new Thread(() =>
        {
            while (!stop)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
            }
        }) { IsBackground = true, Name = "collector stress" };
        thread.Start();
    }

    /// <summary>Collections forced so far.</summary>
    public long Collections => Interlocked.Read(ref collections);

    public void Dispose()
    {
        stop = true;
        thread.Join();
    }
}
