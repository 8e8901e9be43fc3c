using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;

namespace MusicRnn.Tests.Models;

public sealed class PersistenceModelTests
{
    [Fact]
    public void Should_predict_each_frame_as_itself_without_parameters()
    {
        // Given the persistence baseline on 2 features
        var model = Build(new ModelSpec { Arch = Architecture.Persistence, InputSize = 2, OutputSize = 2 });
        double[][] frames = [[1, 2], [-1, 0.5], [3, -2]];

        // When it runs three frames
        var y = Run(model, frames);

        // Then it has nothing to learn and returns its input
        Assert.Equal(0, model.ParameterCount());
        Assert.Equal(frames, y);
    }

    [Fact]
    public void Should_refuse_an_output_size_different_from_the_input()
    {
        // Given a spec asking persistence for 3 outputs from 2 inputs
        var spec = new ModelSpec { Arch = Architecture.Persistence, InputSize = 2, OutputSize = 3 };

        // When it is built, Then the user hears why
        var error = Assert.Throws<InputException>(() => ModelFactory.Create(spec));
        Assert.Contains("output", error.Message, StringComparison.Ordinal);
    }
}
