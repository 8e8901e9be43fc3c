using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;

namespace MusicRnn.Tests.Models;

public sealed class MlpModelTests
{
    [Fact]
    public void Should_map_each_frame_through_a_tanh_layer_and_a_linear_head()
    {
        // Given an MLP 1 → 2 (tanh) → 1 with fixed weights
        var model = Build(new ModelSpec { Arch = Architecture.Mlp, InputSize = 1, OutputSize = 1, HiddenSize = 2 });
        Set(model, "ff.0.weight", 0.8, -0.5);
        Set(model, "ff.0.bias", 0.1, 0.2);
        Set(model, "head.weight", 1.2, -0.7);
        Set(model, "head.bias", 0.05);
        double[][] frames = [[0.5], [-1.0], [2.0]];

        // When it runs three frames
        var y = Run(model, frames);

        // Then y = 1.2 tanh(0.8 x + 0.1) − 0.7 tanh(−0.5 x + 0.2) + 0.05 for each frame
        for (var t = 0; t < 3; t++)
        {
            var x = frames[t][0];
            Assert.Equal(1.2 * Math.Tanh(0.8 * x + 0.1) - 0.7 * Math.Tanh(-0.5 * x + 0.2) + 0.05, y[t][0], 12);
        }
    }
}
