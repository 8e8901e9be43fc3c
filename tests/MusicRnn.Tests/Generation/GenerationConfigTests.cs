using MusicRnn.Generation;

namespace MusicRnn.Tests.Generation;

public sealed class GenerationConfigTests
{
    private static readonly GenerationConfig Valid = new() { Model = "model", Output = "out.wav" };

    public static TheoryData<GenerationConfig, string> BadConfigs => new()
    {
        { Valid with { Seconds = 0 }, "--seconds" },
        { Valid with { Seconds = double.NaN }, "--seconds" },
        { Valid with { PrimeSeconds = -1 }, "--prime-seconds" },
        { Valid with { Noise = -0.1 }, "--noise" },
        { Valid with { Noise = double.PositiveInfinity }, "--noise" },
        { Valid with { TeacherForced = "song.wav", Prime = "other.wav" }, "--prime" },
        { Valid with { TeacherForced = "song.wav", Noise = 0.2 }, "--noise" },
        { Valid with { Output = "metrics.json" }, "--out" },
        { Valid with { Predictions = "predictions.safetensors" }, "--predictions" },
        { Valid with { TeacherForced = "song.wav", Predictions = " " }, "--predictions" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Should_name_the_option_that_is_out_of_range(GenerationConfig config, string option)
    {
        // Given a configuration with one bad field
        // When it is validated
        var error = Assert.Throws<InputException>(config.Validate);

        // Then the message starts with that option
        Assert.StartsWith(option + ":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_accept_the_defaults()
    {
        // Given only the required fields
        // When validated, then nothing is thrown
        Valid.Validate();
    }
}
