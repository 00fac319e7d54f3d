namespace OpenEngage.Ingestion.Privacy;

/// <summary>
/// One privacy request as Mixpanel's API shows it. Requests are carried out before the request that
/// makes them is answered, so a task is created finished: <c>SUCCESS</c> (or <c>FAILURE</c>).
/// </summary>
/// <param name="Id">The task id.</param>
/// <param name="Kind">Deletion or retrieval.</param>
/// <param name="Project">The project's stored id.</param>
/// <param name="ComplianceType"><c>GDPR</c> or <c>CCPA</c>.</param>
/// <param name="DistinctIds">The ids the request named.</param>
/// <param name="Status">The task's status in Mixpanel's vocabulary.</param>
/// <param name="Export">For a retrieval: the JSON array of every stored profile of those ids and their clusters.</param>
/// <param name="Created">When the request was made.</param>
public sealed record PrivacyTask(
    string Id,
    PrivacyTaskKind Kind,
    string Project,
    string ComplianceType,
    IReadOnlyList<string> DistinctIds,
    string Status,
    string? Export,
    DateTimeOffset Created)
{
    public const string Success = "SUCCESS";
}
