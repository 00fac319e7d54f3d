namespace OpenEngage.Server;

/// <summary>
/// One process's exclusive hold on an embedded store's data directory: an advisory lock on
/// <see cref="FileName"/> inside it, released when the process ends (even by a crash). The server,
/// <c>import</c> and <c>restore</c> take it, because SQLite has one writer and the server keeps
/// written profiles cached; <c>export</c> and <c>backup</c> only read and do not need it.
/// </summary>
public sealed class DataDirectoryLease : IDisposable
{
    public const string FileName = "openengage.lock";

    private FileStream? _file;

    /// <summary>Takes the lock of <paramref name="directory"/> (creating it), or throws <see cref="DataDirectoryException"/>.</summary>
    public void Acquire(string directory)
    {
        if (_file is not null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataDirectoryException($"The data directory {directory} cannot be created: {e.Message}", e);
        }

        var path = Path.Combine(directory, FileName);
        try
        {
            _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DataDirectoryException($"The data directory {directory} is not writable: {e.Message}", e);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new DataDirectoryException($"Another OpenEngage process (a server, an import or a restore) is using the data directory {directory}.", e, inUse: true);
        }
        catch (IOException e)
        {
            throw new DataDirectoryException($"The data directory {directory} is not writable: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }
}
