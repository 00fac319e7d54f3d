using System.Text.Json;
using OpenEngage.Query;
using OpenEngage.Storage;

namespace OpenEngage.Http;

/// <summary>
/// Mixpanel's <c>filter_by_cohort={"id":N}</c> on the query API: the saved filter N of the project
/// (see <see cref="ISavedFilterStore"/>), joined to the request's <c>where</c> with <c>and</c>.
/// </summary>
public static class CohortFilter
{
    /// <summary>
    /// <paramref name="where"/> restricted to the cohort named by <paramref name="parameter"/>; throws
    /// <see cref="WireError"/> 400 when the parameter is malformed or names no saved filter of the
    /// project and profile kind.
    /// </summary>
    public static async Task<WhereExpression?> ApplyAsync(string? parameter, WhereExpression? where, string project, string groupKey, IProfileStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (string.IsNullOrWhiteSpace(parameter))
        {
            return where;
        }

        var id = Id(parameter);
        var saved = store is ISavedFilterStore filters ? await filters.GetSavedFilterAsync(project, id, cancellationToken).ConfigureAwait(false) : null;
        if (saved is null)
        {
            throw new WireError(400, $"filter_by_cohort: there is no cohort {id} in this project");
        }

        if (saved.GroupKey != groupKey)
        {
            throw new WireError(400, saved.GroupKey.Length == 0
                ? $"filter_by_cohort: cohort {id} is of user profiles; leave data_group_id out"
                : $"filter_by_cohort: cohort {id} is of the group key {saved.GroupKey}; pass data_group_id={saved.GroupKey}");
        }

        if (saved.Where.Length == 0)
        {
            return where;
        }

        if (!WhereExpression.TryParse(saved.Where, out var cohort, out var error))
        {
            throw new WireError(400, $"filter_by_cohort: the where of cohort {id} does not parse: {error!.Message}");
        }

        return where is null ? cohort : WhereExpression.FromTree(new Binary(BinaryOperator.And, where.Root, cohort!.Root));
    }

    private static long Id(string parameter)
    {
        try
        {
            using var document = JsonDocument.Parse(parameter);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("id", out var id)
                && (id.ValueKind == JsonValueKind.Number ? id.TryGetInt64(out var number) : long.TryParse(id.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number))
                && number > 0)
            {
                return number;
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
        }

        throw new WireError(400, "filter_by_cohort must be a JSON object with a cohort id: {\"id\":N}");
    }
}
