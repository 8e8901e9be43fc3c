using MusicRnn.Models;
using MusicRnn.Training;

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

    [Theory]
    [InlineData(Architecture.Mlp, 3, 3, false, "residual belongs to recurrent frame models")]
    [InlineData(Architecture.LogReg, 3, 3, false, "residual belongs to recurrent frame models")]
    [InlineData(Architecture.Gru, 1, 16, true, "residual belongs to recurrent frame models (rnn, lstm, gru, cwrnn), not to a sample-level model")]
    [InlineData(Architecture.Lstm, 3, 4, false, "residual adds the input frame to the prediction, so the output size (4) must equal the input size (3)")]
    public void Should_refuse_a_residual_readout_where_the_input_frame_is_not_a_guess_of_the_output(Architecture arch, int input, int output, bool sampleLevel, string expected)
    {
        // Given a residual readout on a feed-forward model, a sample-level model, or a model whose output is not a frame of its input's size
        var spec = new ModelSpec
        {
            Arch = arch, InputSize = input, OutputSize = output, HiddenSize = 8, Layers = arch == Architecture.LogReg ? 0 : 1,
            Readout = Readout.Residual, SampleLevel = sampleLevel ? new SampleLevelSpec { Levels = 16, FrameSize = 4 } : null,
        };

        // When it is validated
        var e = Assert.Throws<InputException>(spec.Validate);

        // Then --readout is named, with the reason
        Assert.StartsWith("--readout: " + expected, e.Message);
    }

    [Fact]
    public void Should_refuse_a_residual_readout_towards_the_frame_itself_and_keep_the_plain_head_anywhere()
    {
        // Given a recurrent frame model with the scaled readout, and the same with the plain head
        var scaled = new ModelSpec { Arch = Architecture.Gru, InputSize = 3, OutputSize = 3, HiddenSize = 8, Readout = Readout.Scaled };
        var plain = scaled with { Readout = Readout.Plain };

        // When each is checked against the next frame and the frame itself as target
        scaled.Validate();
        scaled.ValidateFor(Target.Next);
        var e = Assert.Throws<InputException>(() => scaled.ValidateFor(Target.Reconstruct));
        plain.ValidateFor(Target.Reconstruct);

        // Then only the residual readout towards the frame itself is refused, naming --readout and the objective
        Assert.Equal("--readout: scaled predicts the next frame as a change from the current one, so it needs --objective next, got reconstruct", e.Message);
        Assert.True(scaled.ReadoutFits(Target.Next));
        Assert.False(scaled.ReadoutFits(Target.Reconstruct));
        Assert.False((scaled with { Arch = Architecture.Mlp }).ReadoutFits(Target.Next));
        Assert.True(plain.ReadoutFits(Target.Reconstruct));
    }
}
