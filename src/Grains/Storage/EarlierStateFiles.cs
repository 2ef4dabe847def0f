using System.Text;
using Orleans.Storage;

namespace Broker.Grains.Storage;

/// <summary>
/// Grain state in files, one per grain and state name, as the development broker kept it before its database:
/// <see cref="SqlGrainStorage"/> reads such a file once, to import it, and then removes it. Nothing writes them now.
/// </summary>
internal sealed class EarlierStateFiles(string root, IGrainStorageSerializer serializer)
{
    /// <summary>The state in a grain's file, or null when there is no file.</summary>
    public async Task<T?> ReadAsync<T>(string stateName, GrainId grainId)
    {
        var path = PathOf(root, stateName, grainId);
        return File.Exists(path) ? serializer.Deserialize<T>(new BinaryData(await File.ReadAllBytesAsync(path))) : default;
    }

    public void Remove(string stateName, GrainId grainId) => File.Delete(PathOf(root, stateName, grainId));

    /// <summary>The file of a grain's state; the grain id is written as hex so that any id makes a safe file name.</summary>
    internal static string PathOf(string root, string stateName, GrainId grainId) =>
        Path.Combine(root, stateName, $"{Convert.ToHexStringLower(Encoding.UTF8.GetBytes(grainId.ToString()))}.bin");
}
