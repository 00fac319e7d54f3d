namespace OpenEngage.Storage;

/// <summary>A store that can tell which project ids hold profiles (to find data no configured project serves).</summary>
public interface IProjectInventory
{
    /// <summary>The distinct project ids of every stored profile (user or group), in ordinal order.</summary>
    Task<IReadOnlyList<string>> ProjectIdsAsync(CancellationToken cancellationToken = default);
}
