// Build-time fix-up for TorchSharp on systems whose libstdc++ predates GCC 13.
// Compiled by MSBuild's RoslynCodeTaskFactory; see TorchSharpGlibcxxFix.targets for why.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class MusicRnnWeakenGlibcxxNeed : Task
{
    [Required] public string Directory { get; set; } = "";

    const string Version = "GLIBCXX_3.4.32";
    const uint VersionHash = 0x0297f842;     // ELF hash of "GLIBCXX_3.4.32"
    const uint ShtGnuVerdef = 0x6ffffffd;
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    static readonly string[] SystemLibstdcxx =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var targets = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (targets.Length == 0) return true;
        foreach (var path in SystemLibstdcxx)
        {
            if (File.Exists(path) && DefinesVersion(File.ReadAllBytes(path), Version))
            {
                Log.LogMessage(MessageImportance.Low, $"{path} defines {Version}; TorchSharp needs no fix-up.");
                return true;
            }
        }
        foreach (var target in targets)
        {
            var bytes = File.ReadAllBytes(target);
            int changed = WeakenNeed(bytes);
            if (changed == 0) continue;
            // Write through a temporary file: never modify a file that may be linked to the NuGet cache.
            var temp = target + ".musicrnn-tmp";
            File.WriteAllBytes(temp, bytes);
            File.Delete(target);
            File.Move(temp, target);
            Log.LogMessage(MessageImportance.Normal, $"Marked the {Version} need weak in {target}.");
        }
        return true;
    }

    // Minimal ELF64 little-endian reader: section headers, then the GNU version sections.
    static bool TryGetSection(byte[] b, uint type, out int offset, out int size, out int linkOffset)
    {
        offset = size = linkOffset = 0;
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F') return false;
        if (b[4] != 2 || b[5] != 1) return false; // ELFCLASS64, little-endian only
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int k = 0; k < shnum; k++)
        {
            int h = checked((int)(shoff + k * shentsize));
            if (h + 64 > b.Length) return false;
            if (BitConverter.ToUInt32(b, h + 4) != type) continue;
            offset = checked((int)BitConverter.ToInt64(b, h + 0x18));
            size = checked((int)BitConverter.ToInt64(b, h + 0x20));
            int link = (int)BitConverter.ToUInt32(b, h + 0x28);
            int lh = checked((int)(shoff + link * shentsize));
            linkOffset = checked((int)BitConverter.ToInt64(b, lh + 0x18));
            return true;
        }
        return false;
    }

    static string CString(byte[] b, int at)
    {
        int end = at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, at, end - at);
    }

    // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32.
    // Elf64_Verdaux: vda_name u32, vda_next u32.
    static bool DefinesVersion(byte[] b, string name)
    {
        if (!TryGetSection(b, ShtGnuVerdef, out int at, out _, out int strtab)) return false;
        while (true)
        {
            int aux = at + (int)BitConverter.ToUInt32(b, at + 12);
            if (CString(b, strtab + (int)BitConverter.ToUInt32(b, aux)) == name) return true;
            uint next = BitConverter.ToUInt32(b, at + 16);
            if (next == 0) return false;
            at += (int)next;
        }
    }

    // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
    static int WeakenNeed(byte[] b)
    {
        if (!TryGetSection(b, ShtGnuVerneed, out int at, out _, out int strtab)) return 0;
        int changed = 0;
        while (true)
        {
            int count = BitConverter.ToUInt16(b, at + 2);
            int aux = at + (int)BitConverter.ToUInt32(b, at + 8);
            for (int k = 0; k < count; k++)
            {
                uint hash = BitConverter.ToUInt32(b, aux);
                ushort flags = BitConverter.ToUInt16(b, aux + 4);
                string vname = CString(b, strtab + (int)BitConverter.ToUInt32(b, aux + 8));
                if (hash == VersionHash && vname == Version && (flags & VerFlgWeak) == 0)
                {
                    BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(b, aux + 4);
                    changed++;
                }
                aux += (int)BitConverter.ToUInt32(b, aux + 12);
            }
            uint next = BitConverter.ToUInt32(b, at + 12);
            if (next == 0) return changed;
            at += (int)next;
        }
    }
}
