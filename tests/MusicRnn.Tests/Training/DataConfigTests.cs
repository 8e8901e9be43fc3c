using MusicRnn.Checkpoints;
using MusicRnn.Audio;
using MusicRnn.Codecs;
using MusicRnn.Training;
using static TorchSharp.torch;

namespace MusicRnn.Tests.Training;

public sealed class DataConfigTests
{
    private static void WriteTone(string path, double hz, double seconds, int rate = 8000)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var samples = Enumerable.Range(0, (int)(seconds * rate)).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();
        AudioFile.WriteWav(path, samples, rate, SampleFormat.S16);
    }

    [Fact]
    public void Should_default_to_log_magnitude_stft_frames_of_1024_samples_every_256_at_22050_hz()
    {
        // Given the data settings train starts from; When their codec is built
        var codec = CodecFactory.Create(new DataConfig { Audio = [] }.Codec);

        // Then it is the stft codec: N = 1024, hop N/4, 513 log magnitudes, 32 Griffin-Lim iterations, at 22050 Hz, z-scored next-frame targets with 10 % held out
        var stft = Assert.IsType<StftCodec>(codec);
        Assert.Equal((1024, 256, 513, 32), (stft.FrameLength, stft.Hop, stft.FeatureCount, stft.PhaseIterations));
        var data = new DataConfig { Audio = [] };
        Assert.Equal((22050, NormalizerKind.ZScore, Target.Next, 0.1), (data.Codec.SampleRate, data.Normalize, data.Target, data.ValidateFraction));
    }

    [Fact]
    public void Should_expand_a_folder_to_its_audio_files_sorted_by_path()
    {
        // Given a folder with two songs (one in a subfolder) and a text file, plus a song named directly
        using var dir = new TempDir();
        WriteTone(dir.File("music/b.wav"), 440, 0.1);
        WriteTone(dir.File("music/a/c.wav"), 330, 0.1);
        File.WriteAllText(dir.File("music/notes.txt"), "liner notes");
        WriteTone(dir.File("z.wav"), 220, 0.1);
        var config = new DataConfig { Audio = [dir.File("z.wav"), dir.File("music")] };

        // When resolving the files
        var files = config.ResolveFiles();

        // Then named files come as given, folders expand to their audio in path order, the text file is skipped
        Assert.Equal([dir.File("z.wav"), dir.File("music/a/c.wav"), dir.File("music/b.wav")], files);
    }

    [Fact]
    public void Should_reject_a_path_that_does_not_exist()
    {
        // Given a missing file, when resolving, then the message names it
        var config = new DataConfig { Audio = ["/no/such/song.wav"] };
        var e = Assert.Throws<InputException>(() => config.ResolveFiles());
        Assert.Equal("/no/such/song.wav: no such file or folder", e.Message);
    }

    [Fact]
    public void Should_normalize_all_songs_with_one_set_of_statistics_and_record_their_hashes()
    {
        // Given two songs of different loudness
        using var dir = new TempDir();
        WriteTone(dir.File("quiet.wav"), 500, 0.5);
        WriteTone(dir.File("loud.wav"), 1000, 0.25);
        var config = new DataConfig { Audio = [dir.File("quiet.wav"), dir.File("loud.wav")], Codec = new CodecSettings("rfft", 32, 8000) };

        // When loading them
        using var data = TrainingData.Load(config, CPU, NullProgress.Instance);

        // Then both are in one z-scored space (mean 0, std 1 per feature over all frames together)
        using var all = cat(data.Songs.Select(s => s.Frames).ToArray(), 0);
        Assert.Equal(125 + 63, all.shape[0]);
        var nonConstant = all.std([0], unbiased: false) > 0.5; // bins that are silent in both songs stay 0
        Assert.True((all.mean([0]).abs() < 1e-4).all().item<bool>());
        Assert.True(((all.std([0], unbiased: false) - 1).abs() < 1e-3).logical_or(nonConstant.logical_not()).all().item<bool>());
        // and the checkpoint will know each file by its content
        Assert.Equal(Checkpoint.Sha256Of(dir.File("quiet.wav")), data.Records[0].Sha256);
        Assert.Equal(NormalizerKind.ZScore, data.NormalizerKind);
        Assert.Equal(32, data.FeatureCount);
    }
}
