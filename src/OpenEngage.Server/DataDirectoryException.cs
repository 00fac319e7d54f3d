namespace OpenEngage.Server;

/// <summary>The data directory cannot be used: missing rights, or (<see cref="InUse"/>) held by another process.</summary>
public sealed class DataDirectoryException(string message, Exception? inner = null, bool inUse = false) : Exception(message, inner)
{
    /// <summary>Whether another process holds the data directory's lock.</summary>
    public bool InUse { get; } = inUse;
}
