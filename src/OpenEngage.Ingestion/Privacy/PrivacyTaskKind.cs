namespace OpenEngage.Ingestion.Privacy;

/// <summary>The two privacy requests of Mixpanel's GDPR / CCPA API (contract §11).</summary>
public enum PrivacyTaskKind
{
    Deletion,
    Retrieval,
}
