using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace MusicRnn.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors):
/// an 8-byte little-endian header length, a JSON header mapping each tensor name to its
/// dtype, shape and byte range, then the raw little-endian data. Written here (a page of
/// code) rather than through a bridge library so that names are kept exactly as given
/// and nothing but this plain format is ever written or trusted.
/// </summary>
public static class Safetensors
{
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="tensors"/> (any device, F32/F64/I64/U8) in name order to <paramref name="path"/> and flushes it to disk.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var names = tensors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var blobs = new byte[names.Length][];
        var header = new JsonObject();
        long offset = 0;
        for (int i = 0; i < names.Length; i++)
        {
            var t = tensors[names[i]];
            blobs[i] = BytesOf(t);
            header[names[i]] = new JsonObject
            {
                ["dtype"] = DtypeName(t.dtype),
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + blobs[i].Length),
            };
            offset += blobs[i].Length;
        }

        // The header is padded with spaces to a multiple of 8 so the data that follows is aligned.
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        file.Write(length);
        file.Write(json);
        for (int i = json.Length; i < padded; i++) file.WriteByte((byte)' ');
        foreach (var blob in blobs) file.Write(blob);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Reads every tensor of a safetensors file onto the CPU; a malformed file throws an <see cref="InputException"/> naming it.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw InputException.ForFile(path, "not a safetensors file (shorter than its 8-byte header length)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, bytes.Length - 8))
            throw InputException.ForFile(path, $"not a safetensors file (header length {headerLength} does not fit in {bytes.Length} bytes)");
        int dataStart = 8 + (int)headerLength;

        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))?.AsObject()
                ?? throw InputException.ForFile(path, "safetensors header is empty");
        }
        catch (JsonException e)
        {
            throw InputException.ForFile(path, $"safetensors header is not valid JSON ({e.Message})");
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__") continue;
                var entry = node?.AsObject() ?? throw InputException.ForFile(path, $"tensor '{name}' has no description");
                string dtype = entry["dtype"]?.GetValue<string>() ?? throw InputException.ForFile(path, $"tensor '{name}' has no dtype");
                long[] shape = entry["shape"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray()
                    ?? throw InputException.ForFile(path, $"tensor '{name}' has no shape");
                var offsets = entry["data_offsets"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                if (offsets is not { Length: 2 } || offsets[0] < 0 || offsets[1] < offsets[0] || dataStart + offsets[1] > bytes.Length)
                    throw InputException.ForFile(path, $"tensor '{name}' has a byte range outside the file");
                var data = bytes.AsSpan(dataStart + (int)offsets[0], (int)(offsets[1] - offsets[0]));
                result[name] = FromBytes(path, name, dtype, shape, data);
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private static byte[] BytesOf(Tensor t)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        using var cpu = t.detach().cpu().contiguous();
        return cpu.dtype switch
        {
            ScalarType.Float32 => MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()).ToArray(),
            ScalarType.Float64 => MemoryMarshal.AsBytes(cpu.data<double>().ToArray().AsSpan()).ToArray(),
            ScalarType.Int64 => MemoryMarshal.AsBytes(cpu.data<long>().ToArray().AsSpan()).ToArray(),
            ScalarType.Byte => cpu.data<byte>().ToArray(),
            var d => throw new NotSupportedException($"safetensors writer: dtype {d} is not used by MusicRnn"),
        };
    }

    private static string DtypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Byte => "U8",
        _ => throw new NotSupportedException($"safetensors writer: dtype {dtype} is not used by MusicRnn"),
    };

    private static Tensor FromBytes(string path, string name, string dtype, long[] shape, ReadOnlySpan<byte> data)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        int width = dtype switch { "F32" => 4, "F64" => 8, "I64" => 8, "U8" => 1, _ => 0 };
        if (width == 0) throw InputException.ForFile(path, $"tensor '{name}' has dtype {dtype}; MusicRnn reads F32, F64, I64 and U8");
        if (count * width != data.Length)
            throw InputException.ForFile(path, $"tensor '{name}' of shape [{string.Join(", ", shape)}] needs {count * width} bytes, the file gives {data.Length}");
        return dtype switch
        {
            "F32" => tensor(MemoryMarshal.Cast<byte, float>(data).ToArray(), shape),
            "F64" => tensor(MemoryMarshal.Cast<byte, double>(data).ToArray(), shape),
            "I64" => tensor(MemoryMarshal.Cast<byte, long>(data).ToArray(), shape),
            _ => tensor(data.ToArray(), shape),
        };
    }
}
