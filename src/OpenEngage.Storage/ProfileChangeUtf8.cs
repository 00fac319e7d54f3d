namespace OpenEngage.Storage;

/// <summary>A <see cref="ProfileChangeText"/> whose JSON texts are UTF-8 (<see cref="ProfileChangeText.Utf8From"/>).</summary>
public readonly record struct ProfileChangeUtf8(string Kind, byte[] Changed, byte[] Removed);
