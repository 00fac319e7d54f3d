namespace OpenEngage.Storage.Relational;

/// <summary>One step of a schema: never edited once released, only followed by a new one.</summary>
public sealed record SchemaMigration(int Version, string Description, string Sql);
