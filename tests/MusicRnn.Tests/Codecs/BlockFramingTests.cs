using MusicRnn.Codecs;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Codecs;

public sealed class BlockFramingTests
{
    [Theory]
    [InlineData(0, 4, 0)]
    [InlineData(1, 4, 1)]
    [InlineData(4, 4, 1)]
    [InlineData(5, 4, 2)]
    public void Should_count_the_frames_that_hold_every_sample(int samples, int frameLength, int expected)
    {
        // Given a sample count and a frame length
        // When counting frames
        // Then a partial last frame counts as a whole one
        Assert.Equal(expected, BlockFraming.CeilFrames(samples, frameLength));
    }

    [Fact]
    public void Should_place_samples_inside_zeros()
    {
        // Given 2 samples to put after 1 zero in a signal of 5
        // When padded
        using var padded = BlockFraming.Padded(new float[] { 7, 8 }, 1, 5);

        // Then the signal is 0, 7, 8, 0, 0
        Assert.Equal(new float[] { 0, 7, 8, 0, 0 }, padded.data<float>().ToArray());
    }

    [Fact]
    public void Should_refuse_frames_with_the_wrong_feature_count()
    {
        // Given a [3, 5] tensor
        using var frames = zeros(3, 5);

        // When checked against 4 features
        // Then it is an argument error that shows the shape
        var error = Assert.Throws<ArgumentException>(() => BlockFraming.CheckFrames(frames, 4, "raw"));
        Assert.Contains("3, 5", error.Message);
    }

    [Fact]
    public void Should_bring_any_dtype_back_as_float32_samples()
    {
        // Given a [2, 2] float64 tensor
        using var signal = tensor(new double[] { 0.5, -1, 2, 0.25 }, 2, 2);

        // When turned into samples
        // Then they are flattened row by row
        Assert.Equal(new float[] { 0.5f, -1, 2, 0.25f }, BlockFraming.ToSamples(signal));
    }
}
