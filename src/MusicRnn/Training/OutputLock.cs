using System.Globalization;

namespace MusicRnn.Training;

/// <summary>
/// Claims an output folder for one MusicRnn process, so two trainings (or a training and a
/// bench) never write the same checkpoint and logs at once. The claim is an operating-system
/// lock on DIR/.lock, held open for as long as this object lives: the OS drops it when the
/// process ends for any reason, SIGKILL and power loss included, so a killed run never leaves
/// the folder stuck. (.NET takes an exclusive flock on Unix and a share-none handle on Windows
/// for <see cref="FileShare.None"/>.)
/// </summary>
/// <remarks>
/// A locked file cannot be read by another .NET process, so the holder also writes its process
/// id to DIR/.lock.pid, which only serves the refusal message. Neither file is ever deleted:
/// deleting a lock file while another process is opening it would let both believe they hold it.
/// </remarks>
public sealed class OutputLock : IDisposable
{
    /// <summary>Name of the lock file inside the claimed folder.</summary>
    public const string LockFile = ".lock";

    /// <summary>Name of the file holding the current owner's process id.</summary>
    public const string PidFile = ".lock.pid";

    private readonly FileStream _handle;

    private OutputLock(string directory, FileStream handle)
    {
        Directory = directory;
        _handle = handle;
    }

    /// <summary>The claimed folder.</summary>
    public string Directory { get; }

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and claims it; throws an
    /// <see cref="InputException"/> "DIR: in use by another musicrnn process (pid N)" when another
    /// process holds it.
    /// </summary>
    public static OutputLock Acquire(string directory)
    {
        try
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InputException.ForFile(directory, $"cannot create the output folder: {e.Message}");
        }

        string path = Path.Combine(directory, LockFile);
        FileStream handle;
        try
        {
            handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw InputException.ForFile(directory, $"cannot create {LockFile} in the output folder: {e.Message}");
        }
        catch (IOException e)
        {
            if (HeldByAnother(path)) throw InputException.ForFile(directory, $"in use by another musicrnn process ({Holder(directory)})");
            throw InputException.ForFile(directory, $"cannot create {LockFile} in the output folder: {e.Message}");
        }

        try
        {
            File.WriteAllText(Path.Combine(directory, PidFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The pid only decorates another process's refusal message; the lock itself is held.
        }
        return new OutputLock(directory, handle);
    }

    /// <summary>Releases the claim (the files stay; see remarks).</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Whether the open failed because someone holds the lock (rather than, say, a read-only disk):
    /// a shared read open is refused too exactly when another handle holds the file exclusively.
    /// </summary>
    private static bool HeldByAnother(string path)
    {
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Holder(string directory)
    {
        try
        {
            string text = File.ReadAllText(Path.Combine(directory, PidFile)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? $"pid {pid}" : "pid unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "pid unknown";
        }
    }
}
