using static TorchSharp.torch;

namespace MusicRnn.Tests;

public sealed class EngineTests
{
    [Fact]
    public void Should_multiply_matrices_with_libtorch()
    {
        // Given a 2x3 and a 3x2 matrix whose product is worked out by hand
        using var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        using var b = tensor(new float[] { 7, 8, 9, 10, 11, 12 }, 3, 2);

        // When libtorch multiplies them
        using var c = a.matmul(b);

        // Then the entries are 1*7+2*9+3*11 = 58, 64, 139, 154
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.data<float>().ToArray());
    }

    [Fact]
    public void Should_compute_gradients_with_autograd()
    {
        // Given y = sum(x^3) at x = [1, -2]
        using var x = tensor(new double[] { 1, -2 }).requires_grad_();
        using var y = x.pow(3).sum();

        // When back-propagating
        y.backward();

        // Then dy/dx = 3x^2 = [3, 12]
        Assert.Equal(new double[] { 3, 12 }, x.grad!.data<double>().ToArray());
    }
}
