namespace OpenEngage.Storage;

/// <summary>
/// One committed change of one profile, as the change log keeps it: an upsert with the properties
/// it set (name to new value) and the names it removed, or a deletion of the profile.
/// </summary>
/// <param name="Position">Where it is in the feed; read after this position to get what follows it.</param>
/// <param name="Key">The profile.</param>
/// <param name="Kind"><c>upsert</c> or <c>delete</c>.</param>
/// <param name="ChangedJson">A JSON object of the changed properties and their new values; <c>{}</c> on delete.</param>
/// <param name="RemovedJson">A JSON array of the removed property names; <c>[]</c> on delete.</param>
/// <param name="Time">The update's <c>$time</c>, Unix milliseconds.</param>
/// <param name="Received">When the update arrived, Unix milliseconds.</param>
/// <param name="Source">Where the update came from (engage, import, ui, gdpr, …).</param>
public sealed record FeedChange(
    ChangePosition Position,
    Profiles.ProfileKey Key,
    string Kind,
    string ChangedJson,
    string RemovedJson,
    long Time,
    long Received,
    string Source)
{
    public const string Upsert = "upsert";
    public const string Delete = "delete";
}
