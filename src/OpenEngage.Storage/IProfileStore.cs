namespace OpenEngage.Storage;

/// <summary>
/// A profile store as the server composes it: one backend that is both the write side
/// (<see cref="IProfileWriter"/>, fed by the ingestion pipeline) and the read side
/// (<see cref="IProfileReader"/>, behind the query service and the profile browser).
/// </summary>
public interface IProfileStore : IProfileWriter, IProfileReader, IAsyncDisposable;
