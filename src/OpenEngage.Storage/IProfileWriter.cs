using OpenEngage.Profiles;

namespace OpenEngage.Storage;

/// <summary>
/// The write side of durable profile storage. A backend applies updates with
/// <see cref="ProfileEngine"/> inside its own transaction, so read-modify-write is atomic per
/// profile, and returns only once every applied change is durable (survives a crash of the
/// process or the machine).
/// </summary>
public interface IProfileWriter
{
    /// <summary>Creates or migrates the schema. Called once at start-up, before any other member.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="updates"/> in order (each must have a <see cref="ProfileUpdate.Project"/>)
    /// and returns one result per update, in the same order. A rejected update changes nothing.
    /// When the returned task completes successfully, every applied change is durable.
    /// </summary>
    Task<IReadOnlyList<ApplyResult>> ApplyAsync(IReadOnlyList<ProfileUpdate> updates, CancellationToken cancellationToken = default);
}
