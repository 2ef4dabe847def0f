using System.Text;
using Orleans.Storage;

namespace Broker.Grains.Storage;

/// <summary>
/// Grain state in files, one per grain and state name, as the development broker kept it before its database:
/// <see cref="SqliteGrainStorage"/> reads such a file once, to import it, and then removes it. A write goes to a
/// temporary file that then replaces the old one, so a crash leaves the old state or the new one, never a torn file. The process owns its files, so ETags (which
/// guard against lost updates, as with any Orleans storage) are kept in memory. Not for clusters: every silo
/// would see only its own disk. The state may be secret (token hashes), so on Unix the files are the owner's
/// alone (mode 0600) in folders only the owner enters (0700), folders from before included.
/// </summary>
internal sealed class FileGrainStorage(string root, IGrainStorageSerializer serializer) : IGrainStorage, IDisposable
{
    public const UnixFileMode OwnerFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode OwnerFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, string> _etags = new(StringComparer.Ordinal);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => LockedAsync(async () =>
    {
        var path = PathOf(stateName, grainId);
        if (!File.Exists(path))
        {
            _etags.Remove(path);
            Reset(grainState);
            return;
        }

        Protect(Path.GetDirectoryName(path)!);
        if (!OperatingSystem.IsWindows())
        {
            // A file written before files were made the owner's alone.
            File.SetUnixFileMode(path, OwnerFileMode);
        }

        grainState.State = serializer.Deserialize<T>(new BinaryData(await File.ReadAllBytesAsync(path)));
        grainState.ETag = _etags.TryGetValue(path, out var etag) ? etag : _etags[path] = NewETag();
        grainState.RecordExists = true;
    });

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => LockedAsync(async () =>
    {
        var path = PathOf(stateName, grainId);
        CheckETag(path, grainState.ETag);
        Protect(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.tmp";

        // A temporary file left by a crash goes first, so that the new one is created with the owner-only mode.
        File.Delete(temporary);
        await using (var file = new FileStream(temporary, OwnerOnlyCreation))
        {
            await file.WriteAsync(serializer.Serialize(grainState.State).ToMemory());
        }

        File.Move(temporary, path, overwrite: true);
        grainState.ETag = _etags[path] = NewETag();
        grainState.RecordExists = true;
    });

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => LockedAsync(() =>
    {
        var path = PathOf(stateName, grainId);
        CheckETag(path, grainState.ETag);
        File.Delete(path);
        _etags.Remove(path);
        Reset(grainState);
        return Task.CompletedTask;
    });

    public void Dispose() => _gate.Dispose();

    /// <summary>Runs one storage operation at a time: the files and their ETags change together.</summary>
    private async Task LockedAsync(Func<Task> operation)
    {
        await _gate.WaitAsync();
        try
        {
            await operation();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The file of a grain's state; the grain id is written as hex so that any id makes a safe file name.</summary>
    internal static string PathOf(string root, string stateName, GrainId grainId) =>
        Path.Combine(root, stateName, $"{Convert.ToHexStringLower(Encoding.UTF8.GetBytes(grainId.ToString()))}.bin");

    private static FileStreamOptions OwnerOnlyCreation => OperatingSystem.IsWindows()
        ? new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write }
        : new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerFileMode };

    private string PathOf(string stateName, GrainId grainId) => PathOf(root, stateName, grainId);

    /// <summary>Creates a state folder and the root if need be, and makes both the owner's alone.</summary>
    private void Protect(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        Directory.CreateDirectory(folder, OwnerFolderMode);
        File.SetUnixFileMode(root, OwnerFolderMode);
        File.SetUnixFileMode(folder, OwnerFolderMode);
    }

    private void CheckETag(string path, string? expected)
    {
        var stored = _etags.GetValueOrDefault(path);
        if (stored != expected || (stored is null && File.Exists(path)))
        {
            throw new InconsistentStateException($"The state in {path} changed since it was read", stored, expected);
        }
    }

    private static void Reset<T>(IGrainState<T> grainState)
    {
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static string NewETag() => Guid.NewGuid().ToString("N");
}
