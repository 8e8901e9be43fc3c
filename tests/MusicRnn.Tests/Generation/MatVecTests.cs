using MusicRnn.Generation;

namespace MusicRnn.Tests.Generation;

public sealed class MatVecTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(4, 8, 1)]
    [InlineData(7, 13, 2)]
    [InlineData(12, 256, 3)]
    [InlineData(33, 17, 4)]
    public void Should_compute_W_x_plus_b_for_every_stream_as_the_sums_written_out(int rows, int cols, int batch)
    {
        // Given seeded weights, a bias and the inputs of several streams laid out with gaps between them
        var random = new Random(rows * 100 + cols);
        float Next() => (float)((random.NextDouble() * 2) - 1);
        var weight = Enumerable.Range(0, rows * cols).Select(_ => Next()).ToArray();
        var bias = Enumerable.Range(0, rows).Select(_ => Next()).ToArray();
        int xStride = cols + 3, yStride = rows + 2;
        var x = Enumerable.Range(0, batch * xStride).Select(_ => Next()).ToArray();
        var y = new float[batch * yStride];
        Array.Fill(y, float.NaN);

        // When the product is taken
        MatVec.Apply(weight, bias, rows, cols, x, xStride, y, yStride, batch);

        // Then each output is the bias plus the dot product in double, within float rounding, and the gaps are untouched
        for (int b = 0; b < batch; b++)
        {
            for (int r = 0; r < rows; r++)
            {
                double expected = bias[r];
                for (int c = 0; c < cols; c++) expected += (double)weight[(r * cols) + c] * x[(b * xStride) + c];
                Assert.True(Math.Abs(expected - y[(b * yStride) + r]) <= 1e-5 * Math.Max(1, cols / 16.0), $"stream {b} row {r}: {y[(b * yStride) + r]} against {expected}");
            }
            for (int r = rows; r < yStride && (b * yStride) + r < y.Length; r++) Assert.True(float.IsNaN(y[(b * yStride) + r]));
        }
    }

    [Fact]
    public void Should_refuse_spans_too_short_for_the_sizes_given()
    {
        // Given a weight of 2 × 3 but a bias of 1
        // When / Then the product refuses rather than reading past the bias
        Assert.Throws<ArgumentException>(() => MatVec.Apply(new float[6], new float[1], 2, 3, new float[3], 3, new float[2], 2, 1));
        Assert.Throws<ArgumentException>(() => MatVec.Apply(new float[6], new float[2], 2, 3, new float[5], 3, new float[4], 2, 2));
    }
}
