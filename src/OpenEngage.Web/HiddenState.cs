namespace OpenEngage.Web;

/// <summary>The list state a form carries along in hidden fields, except the fields the form itself sets.</summary>
public sealed record HiddenState(ListState State, params string[] Except)
{
    public IEnumerable<(string Name, string Value)> Fields()
    {
        var all = new (string Name, string? Value)[]
        {
            ("data_group_id", State.GroupKey),
            ("where", State.Where),
            ("q", State.Search),
            ("sort_key", State.SortKey),
            ("sort_order", State.SortProperty is null ? null : State.Descending ? "descending" : "ascending"),
            ("as_of_timestamp", State.AsOfTimestamp),
            ("page_size", State.PageSize == ListState.DefaultPageSize ? null : State.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        return all.Where(field => !string.IsNullOrEmpty(field.Value) && !Except.Contains(field.Name)).Select(field => (field.Name, field.Value!));
    }
}
