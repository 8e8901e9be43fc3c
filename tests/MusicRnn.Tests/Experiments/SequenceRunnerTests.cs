using MusicRnn.Experiments;
using MusicRnn.Models;

namespace MusicRnn.Tests.Experiments;

public sealed class SequenceRunnerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Should_make_the_identity_rnn_learn_the_koutnik_target_where_the_default_init_does_not()
    {
        // Given the koutnik preset cut to the tanh RNN at 100 parameters, a 100-sample excerpt of the
        // seeded synthesized track and 300 updates, once with the preset's identity recurrence and
        // once with the default initialisation
        var config = Presets.Koutnik with
        {
            TrackSeconds = 1,
            Archs = [Architecture.Rnn],
            Budgets = [100],
            ExcerptSamples = 100,
            Training = Presets.Koutnik.Training with { Epochs = 300 },
        };

        // When both run
        double Final(BenchConfig c, string name) =>
            BenchRunner.Run(c, new BenchRunOptions { OutDirectory = _dir.File(name) }, NullProgress.Instance).Models.Single().FinalTrainLoss;
        double identity = Final(config, "identity");
        double standard = Final(config with { Inits = new Dictionary<Architecture, RecurrentInit>() }, "default");

        // Then the identity RNN's normalized MSE is at most 0.5, and the default one's is well above it
        Assert.True(identity <= 0.5, $"identity init: normalized MSE {identity}");
        Assert.True(standard > identity + 0.2, $"default init: normalized MSE {standard}, identity {identity}");
    }
}
