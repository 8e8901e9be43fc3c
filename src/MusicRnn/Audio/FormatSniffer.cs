namespace MusicRnn.Audio;

/// <summary>
/// Decides how to decode a file from its first bytes. The extension is used only to word the
/// message when nothing matches: a user who named a file .mp3 wants to hear that it has no MP3 frames.
/// </summary>
internal static class FormatSniffer
{
    public enum Format { Wav, Mp3, Ogg }

    public static string Name(Format format) => format switch
    {
        Format.Wav => "WAV",
        Format.Ogg => "Ogg Vorbis",
        _ => "MP3",
    };

    public static Format Sniff(string path, Stream file)
    {
        Span<byte> head = stackalloc byte[12];
        file.Position = 0;
        int got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var h = head[..got];

        if (h.StartsWith("RIFF"u8))
        {
            // A file cut inside its 12-byte header is still meant as WAV: let the WAV reader say "truncated".
            if (got == 12 && !h[8..].SequenceEqual("WAVE"u8))
                throw InputException.ForFile(path, $"RIFF file of type '{System.Text.Encoding.Latin1.GetString(h[8..])}', not WAVE");
            return Format.Wav;
        }
        if (h.StartsWith("RIFX"u8))
            throw InputException.ForFile(path, "big-endian (RIFX) WAV is not supported");
        if (h.StartsWith("RF64"u8) || h.StartsWith("BW64"u8))
            throw InputException.ForFile(path, "RF64/BW64 WAV (over 4 GiB) is not supported");
        if (h.StartsWith("OggS"u8))
            return Format.Ogg;
        if (h.StartsWith("fLaC"u8))
            throw InputException.ForFile(path, "FLAC is not supported; convert it to WAV");
        if (h.StartsWith("ID3"u8) || Mp3Reader.LooksLikeMpeg(file))
            return Format.Mp3;

        string problem = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".wav" or ".wave" => "not a WAV file (no RIFF/WAVE header)",
            ".mp3" or ".mp2" or ".mpa" => "not an MP3 file (no valid MPEG audio frames found)",
            ".ogg" or ".oga" => "not an Ogg file (no OggS page header)",
            _ => "not a WAV, MP3 or Ogg Vorbis file",
        };
        throw InputException.ForFile(path, problem);
    }
}
