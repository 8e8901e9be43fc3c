using MusicRnn.Audio;

namespace MusicRnn.Tests.Audio;

/// <summary>Ogg Vorbis decoding on the SoX-made fixtures (see Fixtures/README.md); Vorbis records its exact length.</summary>
public sealed class OggReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Should_decode_a_mono_file_with_its_exact_length_and_tone()
    {
        // Given 2 s of a 1 kHz tone, mono, 22050 Hz
        var path = Signals.Fixture("tone_mono_1000hz_22050.ogg");

        // When probed and read
        var info = AudioFile.Probe(path);
        var audio = AudioFile.Read(path);

        // Then the header facts, the exact length and the frequency are right
        Assert.Equal(new AudioInfo(path, "Ogg Vorbis", "Vorbis", 22050, 1, 44100), info);
        Assert.Equal(44100, audio.Channels[0].Length);
        var (hz, _) = Signals.FitSine(audio.Channels[0], 22050, 11025, 22050);
        Assert.InRange(hz, 999, 1001);
    }

    [Fact]
    public void Should_decode_a_stereo_file_keeping_left_and_right_apart()
    {
        // Given 2 s at 44100 Hz with 440 Hz on the left and 660 Hz on the right
        var path = Signals.Fixture("tone_stereo_440_660hz_44100.ogg");

        // When read
        var audio = AudioFile.Read(path);

        // Then each channel has 88200 samples and its own tone
        Assert.Equal((44100, 2), (audio.Info.SampleRate, audio.Info.Channels));
        Assert.All(audio.Channels, c => Assert.Equal(88200, c.Length));
        Assert.InRange(Signals.FitSine(audio.Channels[0], 44100, 22050, 44100).Hz, 439.56, 440.44);
        Assert.InRange(Signals.FitSine(audio.Channels[1], 44100, 22050, 44100).Hz, 659.34, 660.66);
    }

    [Fact]
    public void Should_mix_stereo_down_and_resample_when_reading_mono()
    {
        // Given the stereo 44100 Hz fixture
        var path = Signals.Fixture("tone_stereo_440_660hz_44100.ogg");

        // When read as mono at 22050 Hz
        var mono = AudioFile.ReadMono(path, 22050);
        var both = AudioFile.Read(path);

        // Then it is half as long and equals the resampled mean of the channels
        Assert.Equal(44100, mono.Length);
        var expected = Resampler.Resample(Mixdown.ToMono(both.Channels), 44100, 22050);
        Assert.Equal(expected, mono);
    }

    [Fact]
    public void Should_name_Opus_when_an_Ogg_file_holds_Opus()
    {
        // Given an Ogg page whose first packet is an Opus header
        byte[] page = [.. "OggS"u8, 0, 2, .. new byte[20], 1, 19, .. "OpusHead"u8, 1, 2, .. new byte[9]];
        var path = _temp.Write("voice.ogg", page);

        // When / Then the codec is named
        var ex = Assert.Throws<InputException>(() => AudioFile.Probe(path));
        Assert.Equal($"{path}: Ogg file holds Opus, not Vorbis; only Ogg Vorbis is supported", ex.Message);
    }

    [Fact]
    public void Should_only_ever_throw_InputException_on_damaged_Ogg_data()
    {
        // Given the fixture cut short at several points, and copies with seeded random bytes overwritten
        var whole = File.ReadAllBytes(Signals.Fixture("tone_stereo_440_660hz_44100.ogg"));
        var rng = new Random(11);
        var damaged = new List<byte[]> { whole[..4], whole[..40], whole[..300], whole[..(whole.Length / 2)] };
        for (int k = 0; k < 4; k++)
        {
            var copy = (byte[])whole.Clone();
            for (int i = 0; i < 100; i++)
                copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
            damaged.Add(copy);
        }

        foreach (var bytes in damaged)
        {
            var path = _temp.Write("damaged.ogg", bytes);

            // When read
            var error = Record.Exception(() => AudioFile.Read(path));

            // Then it either decodes or fails with a message about the file
            Assert.True(error is null or InputException, $"{bytes.Length} bytes: {error}");
        }
    }
}
