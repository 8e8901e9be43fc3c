using MusicRnn.Models;

namespace MusicRnn.Tests.Models;

public sealed class ModelSpecTests
{
    [Fact]
    public void Should_refuse_clockwork_periods_given_to_another_architecture()
    {
        // Given an LSTM spec that carries Clockwork periods (a user's --periods with --arch lstm)
        var spec = new ModelSpec { Arch = Architecture.Lstm, InputSize = 3, OutputSize = 3, HiddenSize = 8, Periods = [1, 2, 4, 8] };

        // When it is validated
        var e = Assert.Throws<InputException>(spec.Validate);

        // Then --periods is named as the problem instead of being silently ignored
        Assert.StartsWith("--periods:", e.Message);
        Assert.Contains("lstm", e.Message);
    }

    [Fact]
    public void Should_accept_one_period_per_module_for_the_clockwork_rnn()
    {
        // Given a Clockwork RNN of 4 modules with 4 periods
        var spec = new ModelSpec { Arch = Architecture.CwRnn, InputSize = 3, OutputSize = 3, HiddenSize = 8, Modules = 4, Periods = [1, 3, 5, 7] };

        // When it is validated, Then nothing is refused and module 2 ticks every 5 steps
        spec.Validate();
        Assert.Equal(5, spec.PeriodOf(2));
    }

    [Theory]
    [InlineData(Architecture.Lstm, RecurrentInit.Identity, 320, "--init:")]
    [InlineData(Architecture.Rnn, RecurrentInit.Chrono, 320, "--init:")]
    [InlineData(Architecture.Gru, RecurrentInit.Chrono, 0, "--chrono-steps:")]
    public void Should_refuse_an_init_the_architecture_does_not_have(Architecture arch, RecurrentInit init, int steps, string option)
    {
        // Given a spec whose initialisation does not fit it (identity for an LSTM, chrono for an RNN, chrono with no span)
        var spec = new ModelSpec { Arch = arch, InputSize = 1, OutputSize = 1, HiddenSize = 8, Init = init, ChronoSteps = steps };

        // When it is validated
        var e = Assert.Throws<InputException>(spec.Validate);

        // Then the option at fault is named
        Assert.StartsWith(option, e.Message);
    }
}
