using MusicRnn.Training;

namespace MusicRnn.Tests.Training;

public sealed class TrainingConfigTests
{
    [Fact]
    public void Should_refuse_a_weight_decay_for_rprop_naming_the_option()
    {
        // Given Rprop, whose learning rate is a step size, with a weight decay
        var config = new TrainingConfig { Optimizer = OptimizerKind.Rprop, WeightDecay = 0.1 };

        // When it is validated, Then the error names --weight-decay and says why
        var error = Assert.Throws<InputException>(config.Validate);
        Assert.StartsWith("--weight-decay: rprop takes no weight decay", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OptimizerKind.RmsProp)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adagrad)]
    public void Should_accept_a_weight_decay_for_every_gradient_rule(OptimizerKind optimizer)
    {
        // Given a gradient rule with a weight decay, When it is validated, Then it passes
        new TrainingConfig { Optimizer = optimizer, WeightDecay = 1 }.Validate();
    }
}
