using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

public sealed class MixdownTests
{
    [Fact]
    public void Should_average_three_channels_sample_by_sample()
    {
        // Given three channels
        float[][] channels = [[0.3f, 1f, -1f], [0.6f, 1f, 0f], [0f, 1f, 0.5f]];

        // When mixed down
        var mono = Mixdown.ToMono(channels);

        // Then each sample is the mean
        Assert.Equal(new[] { 0.3f, 1f, -1f / 6 }, mono, (a, b) => Math.Abs(a - b) < 1e-7f);
    }

    [Fact]
    public void Should_return_a_copy_of_a_single_channel()
    {
        // Given one channel
        float[][] channels = [[0.1f, 0.2f]];

        // When mixed down
        var mono = Mixdown.ToMono(channels);

        // Then it is the same samples in a new array
        Assert.Equal(channels[0], mono);
        Assert.NotSame(channels[0], mono);
    }

    [Fact]
    public void Should_reject_no_channels_and_channels_of_different_lengths()
    {
        // Given / When / Then both are programming errors
        Assert.Throws<ArgumentException>(() => Mixdown.ToMono([]));
        Assert.Throws<ArgumentException>(() => Mixdown.ToMono([[1f, 2f], [1f]]));
    }
}
