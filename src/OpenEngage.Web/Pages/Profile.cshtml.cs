using Microsoft.AspNetCore.Http;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using OpenEngage.Ingestion;
using OpenEngage.Storage;

namespace OpenEngage.Web.Pages;

/// <summary>One profile: every property with its type, raw JSON, edit, unset and delete.</summary>
public sealed class ProfileModel(ProfileBrowser browser, ProfileWriter writer, IProfileStore store) : UiPageModel
{
    /// <summary>How many of the newest history records the page shows.</summary>
    public const int HistoryShown = 50;

    [BindProperty(SupportsGet = true, Name = "distinct_id")]
    public string DistinctId { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "data_group_id")]
    public string? GroupKey { get; set; }

    public StoredProfile? Profile { get; private set; }

    /// <summary>The newest records that changed the profile, newest first; null when the store keeps no history.</summary>
    public IReadOnlyList<HistoryRecord>? History { get; private set; }

    /// <summary>The edit form's fields.</summary>
    public string EditName { get; private set; } = "";

    public string EditType { get; private set; } = "string";

    public string EditValue { get; private set; } = "";

    public string? Error { get; private set; }

    public string Group => GroupKey ?? "";

    public string SelfUrl => LinkTo(DistinctId, Group);

    public string ApiUrl => "/api/query/engage" + Microsoft.AspNetCore.Http.QueryString.Create(Parameters(DistinctId, Group)).ToUriComponent();

    public string HistoryApiUrl => "/api/query/history" + Microsoft.AspNetCore.Http.QueryString.Create(Parameters(DistinctId, Group)).ToUriComponent();

    public string ListUrl => new ListState { GroupKey = Group }.Url();

    private async Task<IReadOnlyList<HistoryRecord>?> ReadHistoryAsync(CancellationToken cancellationToken)
    {
        if (store is not IProfileHistory history || !history.History.Enabled)
        {
            return null;
        }

        var records = new List<HistoryRecord>();
        await foreach (var record in history.ReadHistoryAsync(new HistoryQuery(new Profiles.ProfileKey(Account.ProjectId, Group, DistinctId)), cancellationToken))
        {
            records.Add(record);
            if (records.Count == HistoryShown)
            {
                break;
            }
        }

        return records;
    }

    public static string LinkTo(string id, string groupKey) =>
        "/profile" + Microsoft.AspNetCore.Http.QueryString.Create(Parameters(id, groupKey)).ToUriComponent();

    public async Task<IActionResult> OnGetAsync(string? edit, CancellationToken cancellationToken)
    {
        ViewData["Section"] = Group.Length == 0 ? "users" : "groups";
        Profile = await browser.GetAsync(Account.ProjectId, Group, DistinctId, cancellationToken);
        if (Profile is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        History = await ReadHistoryAsync(cancellationToken);
        if (!string.IsNullOrEmpty(edit))
        {
            EditName = edit;
            if (Profile.Properties.TryGetPropertyValue(edit, out var value))
            {
                (EditType, EditValue) = PropertyValueText.Editable(value);
            }
        }

        return Page();
    }

    public async Task<IActionResult> OnPostSetAsync(string? name, string? type, string? value, CancellationToken cancellationToken)
    {
        JsonNode? parsed;
        try
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new FormatException("Enter the property's name.");
            }

            parsed = PropertyValueText.Parse(type ?? "string", value ?? "");
        }
        catch (FormatException error)
        {
            return await ShowAsync(error.Message, name ?? "", type ?? "string", value ?? "", cancellationToken);
        }

        var result = await writer.SetAsync(Target, [DistinctId], name!.Trim(), parsed, CancellationToken.None);
        if (result.Failed.Count > 0)
        {
            return await ShowAsync($"Not saved: {result.Failed[0].Field}: {result.Failed[0].Message}", name, type ?? "string", value ?? "", cancellationToken);
        }

        Notice = $"Set {name.Trim()}." + string.Concat(result.Warnings.Select(w => $" {w.Field}: {w.Message}"));
        return Redirect(SelfUrl);
    }

    public async Task<IActionResult> OnPostUnsetAsync(string? name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
        {
            return await ShowAsync("Enter the property's name.", "", "string", "", cancellationToken);
        }

        var result = await writer.UnsetAsync(Target, [DistinctId], name, CancellationToken.None);
        if (result.Failed.Count > 0)
        {
            return await ShowAsync($"Not unset: {result.Failed[0].Field}: {result.Failed[0].Message}", name, "string", "", cancellationToken);
        }

        Notice = $"Unset {name}.";
        return Redirect(SelfUrl);
    }

    public async Task<IActionResult> OnPostDeleteAsync(string? confirm, CancellationToken cancellationToken)
    {
        if (confirm != "yes")
        {
            return await ShowAsync("Tick the box to confirm the deletion.", "", "string", "", cancellationToken);
        }

        var result = await writer.DeleteAsync(Target, [DistinctId], CancellationToken.None);
        if (result.Failed.Count > 0)
        {
            return await ShowAsync($"Not deleted: {result.Failed[0].Message}", "", "string", "", cancellationToken);
        }

        Notice = $"Deleted the profile {DistinctId}.";
        return Redirect(ListUrl);
    }

    private ProfileTarget Target => new(Account.Project.Token, Group);

    private async Task<IActionResult> ShowAsync(string error, string name, string type, string value, CancellationToken cancellationToken)
    {
        ViewData["Section"] = Group.Length == 0 ? "users" : "groups";
        Error = error;
        EditName = name;
        EditType = type;
        EditValue = value;
        Profile = await browser.GetAsync(Account.ProjectId, Group, DistinctId, cancellationToken);
        Response.StatusCode = Profile is null ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
        return Page();
    }

    private static IEnumerable<KeyValuePair<string, string?>> Parameters(string id, string groupKey)
    {
        yield return new("distinct_id", id);
        if (groupKey.Length > 0)
        {
            yield return new("data_group_id", groupKey);
        }
    }
}
