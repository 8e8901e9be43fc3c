using MusicRnn.Models;
using static MusicRnn.Tests.Models.ModelTestKit;

namespace MusicRnn.Tests.Models;

public sealed class LogisticRegressionModelTests
{
    [Fact]
    public void Should_predict_the_sigmoid_of_an_affine_map_of_each_frame()
    {
        // Given logistic regression from 2 features to 1 with fixed weights
        var model = Build(new ModelSpec { Arch = Architecture.LogReg, InputSize = 2, OutputSize = 1, Layers = 0 });
        Set(model, "head.weight", 0.5, -1.5);
        Set(model, "head.bias", 0.25);
        double[][] frames = [[1, 2], [-1, 0.5], [3, -2]];

        // When it runs three frames
        var y = Run(model, frames);

        // Then each output is σ(0.5 a − 1.5 b + 0.25), with no memory of earlier frames
        for (var t = 0; t < 3; t++)
            Assert.Equal(Sigmoid(0.5 * frames[t][0] - 1.5 * frames[t][1] + 0.25), y[t][0], 12);
    }
}
