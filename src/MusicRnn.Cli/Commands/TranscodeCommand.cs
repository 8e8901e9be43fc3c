using System.CommandLine;
using System.Globalization;
using MusicRnn.Audio;
using MusicRnn.Codecs;

namespace MusicRnn.Cli.Commands;

/// <summary>
/// <c>musicrnn transcode IN OUT</c>: sends audio through a frame codec and back, so a user can
/// hear (and measure) exactly what the network will be given before spending compute on it.
/// An exact codec is measured by the round trip's SNR; an inexact one (stft, mel), whose rebuilt
/// phase makes the waveform differ, by the spectral convergence and log-spectral distance of
/// <see cref="SpectralDistanceMeter"/>. Both are measured on what the file stores, and 16-bit
/// output reports how many samples it had to clip.
/// </summary>
internal static class TranscodeCommand
{
    // Samples round-tripped at a time: tens of MB of tensors at most, and few enough calls that an hour goes fast.
    private const int StretchSamples = 1 << 18;

    public static Command Create()
    {
        var input = new Argument<string>("in") { Description = "audio to read (WAV, MP3, Ogg Vorbis)" };
        var output = new Argument<string>("out") { Description = "WAV file to write" };
        var codec = new Option<string>("--codec") { Description = $"frame codec: {string.Join(", ", CodecFactory.Names)}", DefaultValueFactory = _ => "rfft" };
        var frame = new Option<int>("--frame") { Description = "frame length in samples", DefaultValueFactory = _ => 2048 };
        var rate = new Option<int>("--sample-rate") { Description = "resample to this rate (Hz)", DefaultValueFactory = _ => 22050 };
        var hop = new Option<int?>("--hop") { Description = "stft/mel: samples between frame starts (default frame/4)" };
        var melBands = new Option<int?>("--mel-bands") { Description = $"mel: mel bands per frame (default {MelCodec.DefaultBands})" };
        var phaseIters = new Option<int?>("--phase-iters") { Description = $"stft/mel: Griffin-Lim iterations when decoding (default {SpectralCodec.DefaultPhaseIterations})" };
        var format = CommonOptions.SampleFormat();
        var threads = CommonOptions.Threads();
        var command = new Command("transcode", "Encode audio into codec frames and back; print the round trip's SNR (exact codecs) or spectral distances (stft, mel).")
        {
            input, output, codec, frame, rate, hop, melBands, phaseIters, format, threads,
        };
        command.SetAction(parsed => Run(
            parsed.GetRequiredValue(input), parsed.GetRequiredValue(output),
            new CodecSettings(parsed.GetValue(codec)!.Trim().ToLowerInvariant(), parsed.GetValue(frame), parsed.GetValue(rate))
            {
                Hop = parsed.GetValue(hop),
                MelBands = parsed.GetValue(melBands),
                PhaseIterations = parsed.GetValue(phaseIters),
            },
            parsed.GetValue(format)!, parsed.GetValue(threads)));
        return command;
    }

    private static int Run(string input, string output, CodecSettings settings, string formatName, int threads)
    {
        // Validate every option before decoding anything: a bad option must not cost a long decode.
        IFrameCodec codec = CodecFactory.Create(settings);
        // The codecs' tensor work (Griffin-Lim above all) runs on the CPU with the threads asked for.
        CommonOptions.Apply("cpu", threads);
        SampleFormat format = CommonOptions.ParseSampleFormat(formatName);
        int rate = settings.SampleRate;
        if (Directory.Exists(output)) throw InputException.ForFile(output, "is a directory, expected a WAV file to write");

        // Streamed end to end (decode, mix, resample, codec, write, measure), so an hour of audio fits
        // in the memory of a minute; the file is probed first so a bad input creates no output.
        AudioFile.Probe(input);
        using var writer = AudioFile.CreateWav(output, rate, format);
        var snr = new SnrMeter();
        var spectral = new SpectralDistanceMeter();
        int stretchFrames = Math.Max(1, StretchSamples / codec.Hop);
        var stored = new float[stretchFrames * codec.Hop];
        var roundTrip = new StreamingRoundTrip(codec, stretchFrames);
        void Take(ReadOnlySpan<float> original, ReadOnlySpan<float> restored)
        {
            writer.Write(restored);
            // Measured against what the file stores, not what was computed: s16 quantisation is part of the round trip.
            if (stored.Length < restored.Length) stored = new float[restored.Length];   // a spectral codec's decoding windows may pass a stretch
            var kept = stored.AsSpan(0, restored.Length);
            for (int i = 0; i < kept.Length; i++) kept[i] = writer.Stored(restored[i]);
            if (codec.IsExact) snr.Add(original, kept);
            else spectral.Add(original, kept);
        }
        AudioFile.ReadMonoBlocks(input, rate, block => roundTrip.Push(block, Take));
        roundTrip.Finish(Take);
        spectral.Finish();
        writer.Complete();

        var what = string.Create(CultureInfo.InvariantCulture,
            $"{codec.Name} frame {codec.FrameLength}{(codec.Hop == codec.FrameLength ? "" : $" hop {codec.Hop}")}: {roundTrip.Done} samples at {rate} Hz, {format.ToString().ToLowerInvariant()} output");
        Console.WriteLine(codec.IsExact ? $"{what}, round-trip SNR {Db(snr.SnrDb)} dB" : string.Create(CultureInfo.InvariantCulture,
            $"{what}, spectral convergence {spectral.SpectralConvergence:0.0000}, log-spectral distance {spectral.LogSpectralDistanceDb:0.00} dB (STFT {SpectralDistanceMeter.FrameLength}/{SpectralDistanceMeter.Hop})"));
        if (writer.ClippedSamples > 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"clipped {writer.ClippedSamples} samples to ±1 ({100.0 * writer.ClippedSamples / Math.Max(1, roundTrip.Done):0.###}%): {(format == SampleFormat.S16 ? "16-bit output cannot hold them; --sample-format f32 keeps them" : "they were infinite")}"));
        return CliRunner.Ok;
    }

    private static string Db(double db) => double.IsPositiveInfinity(db) ? "∞" : db.ToString("0.0", CultureInfo.InvariantCulture);

}
