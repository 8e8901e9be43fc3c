using System.CommandLine;
using System.Globalization;
using MusicRnn.Audio;
using MusicRnn.Codecs;

namespace MusicRnn.Cli.Commands;

/// <summary>
/// <c>musicrnn transcode IN OUT</c>: sends audio through a frame codec and back, so a user can
/// hear (and measure) exactly what the network will be given before spending compute on it.
/// </summary>
internal static class TranscodeCommand
{
    // Samples round-tripped at a time: tens of MB of tensors at most, and few enough calls that an hour goes fast.
    private const int StretchSamples = 1 << 18;

    public static Command Create()
    {
        var input = new Argument<string>("in") { Description = "audio to read (WAV, MP3, Ogg Vorbis)" };
        var output = new Argument<string>("out") { Description = "WAV file to write" };
        var codec = new Option<string>("--codec") { Description = "frame codec: fft, rfft, mdct or raw", DefaultValueFactory = _ => "rfft" };
        var frame = new Option<int>("--frame") { Description = "frame length in samples", DefaultValueFactory = _ => 2048 };
        var rate = new Option<int>("--sample-rate") { Description = "resample to this rate (Hz)", DefaultValueFactory = _ => 22050 };
        var format = CommonOptions.SampleFormat();
        var command = new Command("transcode", "Encode audio into codec frames and back; print the round trip's SNR.")
        {
            input, output, codec, frame, rate, format,
        };
        command.SetAction(parsed => Run(
            parsed.GetRequiredValue(input), parsed.GetRequiredValue(output), parsed.GetValue(codec)!,
            parsed.GetValue(frame), parsed.GetValue(rate), parsed.GetValue(format)!));
        return command;
    }

    private static int Run(string input, string output, string codecName, int frame, int rate, string formatName)
    {
        // Validate every option before decoding anything: a bad option must not cost a long decode.
        IFrameCodec codec = CodecFactory.Create(codecName, frame);
        SampleFormat format = CommonOptions.ParseSampleFormat(formatName);
        if (rate < 1000 || rate > 384_000)
            throw InputException.ForOption("--sample-rate", $"expected a rate from 1000 to 384000 Hz, got {rate}");
        if (Directory.Exists(output)) throw InputException.ForFile(output, "is a directory, expected a WAV file to write");

        // Streamed end to end (decode, mix, resample, codec, write, measure), so an hour of audio fits
        // in the memory of a minute; the file is probed first so a bad input creates no output.
        AudioFile.Probe(input);
        using var writer = AudioFile.CreateWav(output, rate, format);
        var snr = new SnrMeter();
        int stretchFrames = Math.Max(1, StretchSamples / codec.Hop);
        var stored = new float[stretchFrames * codec.Hop];
        var roundTrip = new StreamingRoundTrip(codec, stretchFrames);
        void Take(ReadOnlySpan<float> original, ReadOnlySpan<float> restored)
        {
            writer.Write(restored);
            // Measured against what the file stores, not what was computed: s16 quantisation is part of the round trip.
            var kept = stored.AsSpan(0, restored.Length);
            for (int i = 0; i < kept.Length; i++) kept[i] = writer.Stored(restored[i]);
            snr.Add(original, kept);
        }
        AudioFile.ReadMonoBlocks(input, rate, block => roundTrip.Push(block, Take));
        roundTrip.Finish(Take);
        writer.Complete();

        double db = snr.SnrDb;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{codec.Name} frame {codec.FrameLength}: {snr.Count} samples at {rate} Hz, {format.ToString().ToLowerInvariant()} output, round-trip SNR {(double.IsPositiveInfinity(db) ? "∞" : db.ToString("0.0", CultureInfo.InvariantCulture))} dB"));
        return CliRunner.Ok;
    }

}
