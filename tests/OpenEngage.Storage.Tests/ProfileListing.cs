namespace OpenEngage.Storage.Tests;

/// <summary>Listing a project's profiles in id order, a page at a time: a query without a filter or a sort key.</summary>
public static class ProfileListing
{
    public static Task<ProfilePage> ListAsync(this IProfileReader store, ProfileListRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        return store.QueryAsync(new ProfileQuery(request.Project, request.GroupKey) { Offset = request.Offset, Limit = request.Limit }, cancellationToken);
    }
}
