namespace OpenEngage.Storage;

/// <summary>
/// The SQL both backends use to list the project ids of the <c>profiles</c> table: a loose index scan
/// that jumps from one project to the next along the primary key, so it costs one index lookup per
/// project rather than a read of every profile.
/// </summary>
public static class ProjectIdsQuery
{
    public const string Sql = """
        WITH RECURSIVE projects(project) AS (
            SELECT min(project) FROM profiles
            UNION ALL
            SELECT (SELECT min(p.project) FROM profiles p WHERE p.project > projects.project)
            FROM projects WHERE projects.project IS NOT NULL
        )
        SELECT project FROM projects WHERE project IS NOT NULL;
        """;
}
