using MusicRnn.Codecs;

namespace MusicRnn.Tests.Codecs;

public sealed class CodecFactoryTests
{
    [Theory]
    [InlineData("fft", typeof(FftCodec), 2 * 512)]
    [InlineData("rfft", typeof(RfftCodec), 512)]
    [InlineData("mdct", typeof(MdctCodec), 512)]
    [InlineData("raw", typeof(RawCodec), 512)]
    [InlineData(" RFFT ", typeof(RfftCodec), 512)]
    public void Should_create_the_named_codec(string name, Type type, int features)
    {
        // Given a name as typed on the command line and a frame of 512 samples
        // When the factory makes the codec
        var codec = CodecFactory.Create(name, 512);

        // Then it is the right codec, with the right frame, hop and feature count
        Assert.IsType(type, codec);
        Assert.Equal(name.Trim().ToLowerInvariant(), codec.Name);
        Assert.Equal(512, codec.FrameLength);
        Assert.Equal(512, codec.Hop);
        Assert.Equal(features, codec.FeatureCount);
    }

    [Fact]
    public void Should_list_every_codec_it_can_create()
    {
        // Given the advertised names
        // When each is created
        // Then each codec reports that name
        Assert.Equal(["fft", "rfft", "mdct", "raw"], CodecFactory.Names);
        Assert.All(CodecFactory.Names, name => Assert.Equal(name, CodecFactory.Create(name, 8).Name));
    }

    [Fact]
    public void Should_reject_an_unknown_codec_naming_the_option()
    {
        // Given a codec that does not exist
        // When the factory is asked for it
        var error = Assert.Throws<InputException>(() => CodecFactory.Create("wavelet", 1024));

        // Then the message names --codec, the bad value and the choices
        Assert.StartsWith("--codec: ", error.Message);
        Assert.Contains("wavelet", error.Message);
        Assert.Contains("rfft", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(CodecFactory.MaxFrameLength + 2)]
    public void Should_reject_a_frame_that_is_not_even_and_in_range(int frameLength)
    {
        // Given an invalid frame length
        // When the factory is asked for any codec with it
        // Then it is refused with a message naming --frame, and codecs built in code refuse it too
        foreach (var name in CodecFactory.Names)
        {
            var error = Assert.Throws<InputException>(() => CodecFactory.Create(name, frameLength));
            Assert.StartsWith("--frame: ", error.Message);
            Assert.Contains(frameLength.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new MdctCodec(frameLength));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1000)]
    public void Should_accept_even_frames_that_are_not_powers_of_two(int frameLength)
    {
        // Given an even frame length that is not a power of two (torch.fft needs none)
        var samples = TestSignals.WhiteNoise(3 * frameLength + 1, seed: frameLength);

        // When every codec round-trips a signal with it
        // Then every codec reconstructs the signal
        foreach (var name in CodecFactory.Names)
        {
            var decoded = CodecFactory.Create(name, frameLength).RoundTrip(samples);
            Assert.True(TestSignals.MaxAbsDifference(samples, decoded) < 1e-5, name);
        }
    }
}
