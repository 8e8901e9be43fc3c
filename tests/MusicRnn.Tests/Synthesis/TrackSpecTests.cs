using MusicRnn.Synthesis;

namespace MusicRnn.Tests.Synthesis;

public sealed class TrackSpecTests
{
    [Fact]
    public void Should_default_to_30_seconds_at_120_bpm_and_22050_Hz()
    {
        // Given the default spec
        var spec = new TrackSpec();

        // Then it is the documented default, valid, and 661500 samples long
        Assert.Equal((30.0, 0, 120.0, 22050), (spec.Seconds, spec.Seed, spec.Bpm, spec.SampleRate));
        spec.Validate();
        Assert.Equal(30 * 22050, spec.SampleCount);
    }

    [Theory]
    [InlineData(0.0, 120.0, 22050, "--seconds:")]
    [InlineData(-1.0, 120.0, 22050, "--seconds:")]
    [InlineData(3600.5, 120.0, 22050, "--seconds:")]
    [InlineData(double.NaN, 120.0, 22050, "--seconds:")]
    [InlineData(10.0, 39.9, 22050, "--bpm:")]
    [InlineData(10.0, 300.1, 22050, "--bpm:")]
    [InlineData(10.0, double.NaN, 22050, "--bpm:")]
    [InlineData(10.0, 120.0, 7999, "--sample-rate:")]
    [InlineData(10.0, 120.0, 192001, "--sample-rate:")]
    public void Should_name_the_option_that_is_out_of_range(double seconds, double bpm, int sampleRate, string option)
    {
        // Given a spec with one field out of range
        var spec = new TrackSpec { Seconds = seconds, Bpm = bpm, SampleRate = sampleRate };

        // When validating, then the message starts with the CLI option to fix
        var e = Assert.Throws<InputException>(spec.Validate);
        Assert.StartsWith(option, e.Message);
    }

    [Theory]
    [InlineData(3600.0, 40.0, 8000)]
    [InlineData(0.001, 300.0, 192000)]
    public void Should_accept_the_ends_of_every_range(double seconds, double bpm, int sampleRate)
    {
        // Given a spec at the limits, when validating, then nothing is thrown
        new TrackSpec { Seconds = seconds, Bpm = bpm, SampleRate = sampleRate, Seed = int.MinValue }.Validate();
    }
}
