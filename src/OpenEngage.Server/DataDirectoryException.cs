namespace OpenEngage.Server;

/// <summary>The data directory cannot be used: missing rights, or held by another process.</summary>
public sealed class DataDirectoryException(string message, Exception? inner = null) : Exception(message, inner);
