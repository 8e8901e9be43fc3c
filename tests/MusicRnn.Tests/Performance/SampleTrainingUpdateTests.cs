using MusicRnn.Models;
using MusicRnn.Objectives;
using MusicRnn.Performance;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Performance;

public sealed class SampleTrainingUpdateTests
{
    [Theory]
    [InlineData(Architecture.Gru)]
    [InlineData(Architecture.CwRnn)]
    public void Should_take_the_same_updates_as_the_trainer_on_the_same_song(Architecture arch)
    {
        // Given a timed update of 2 streams × 32 samples with windows for 3 updates, and the same
        // seeded model and stand-in song (drawn after the model, as the timed update draws them)
        const int streams = 2, window = 32, steps = 3, seed = 7;
        manual_seed(seed);
        using var timed = new SampleTrainingUpdate(arch, streams, window, steps, CPU);
        manual_seed(seed);
        var spec = SampleLevelDefaults.ModelFor(arch);
        using var model = ModelFactory.Create(spec);
        using var drawn = randint(0, 256, [(streams * window * steps) + 1, 1]);
        using var song = drawn.to_type(ScalarType.Float32);

        // When the timed update runs 3 times, and the trainer trains one epoch of the song
        var timedLosses = Enumerable.Range(0, steps).Select(_ =>
        {
            Assert.True(timed.Step() > 0);
            return timed.LastLoss;
        }).ToList();
        var config = SampleLevelDefaults.Training with { Batch = streams, Window = window, Stride = window };
        var trainerLosses = new List<double>();
        using (var trainer = new Trainer(model, config, new SampleCategorical(256)))
            trainer.TrainEpoch([new TrainingSong("stand-in", song, 0)], r => trainerLosses.Add(r.Loss));

        // Then both see the same windows from the same carried state and step the same weights:
        // equal losses at every update, each about 8 bits
        Assert.Equal(streams * window, timed.SamplesPerUpdate);
        Assert.Equal(steps, trainerLosses.Count);
        for (int i = 0; i < steps; i++) Assert.Equal(trainerLosses[i], timedLosses[i], 5);
        Assert.All(timedLosses, bits => Assert.InRange(bits, 7.5, 8.6));
    }
}
