namespace OpenEngage.Storage.Relational;

/// <summary>Marks the <see cref="HistoryOptions"/> as registered, so a second store registration does not bind them twice.</summary>
internal sealed class HistoryRegistrationMarker;
