using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>
/// The writes one record makes to a profile it changes in place, in order, each with the property's
/// node before it. From them the record is undone (when it is rejected) and its diff is read,
/// both in the time of the record's own writes, not of the whole profile.
/// </summary>
/// <remarks>
/// A write always replaces a property's node and never changes a node that is in the profile, so
/// a node once replaced stays as it was: the diff can keep it, and an undo can put it back.
/// </remarks>
internal struct PropertyWrites
{
    private List<Written>? _written;

    /// <summary>Sets a property to a node that has no parent (a new or copied value).</summary>
    public void Set(JsonObject profile, string name, JsonNode? value)
    {
        Track(profile, name);
        profile[name] = value;
    }

    /// <summary>Removes a property when the profile has it.</summary>
    public void Remove(JsonObject profile, string name)
    {
        var index = profile.IndexOf(name);
        if (index < 0)
        {
            return;
        }

        Track(profile, name, index);
        profile.RemoveAt(index);
    }

    /// <summary>Puts back what the record wrote, newest write first, leaving the profile as it was before the record.</summary>
    public readonly void Undo(JsonObject profile)
    {
        if (_written is null)
        {
            return;
        }

        for (var i = _written.Count - 1; i >= 0; i--)
        {
            var written = _written[i];
            if (!written.Had)
            {
                profile.Remove(written.Name);
            }
            else if (written.Index >= 0)
            {
                profile.Insert(written.Index, written.Name, Detached(written.Old));
            }
            else
            {
                profile[written.Name] = Detached(written.Old);
            }
        }
    }

    /// <summary>The properties whose value the record changed, in the order it first wrote them.</summary>
    public readonly List<PropertyChange> Changes(JsonObject profile)
    {
        var changes = new List<PropertyChange>(_written?.Count ?? 0);
        for (var i = 0; i < (_written?.Count ?? 0); i++)
        {
            var written = _written![i];
            if (WrittenBefore(i, written.Name))
            {
                continue;
            }

            var has = profile.TryGetPropertyValue(written.Name, out var value);
            if (written.Had != has || (has && !JsonNode.DeepEquals(written.Old, value)))
            {
                changes.Add(new PropertyChange(written.Name, written.Had, written.Old, has, value));
            }
        }

        return changes;
    }

    private readonly bool WrittenBefore(int index, string name)
    {
        for (var i = 0; i < index; i++)
        {
            if (string.Equals(_written![i].Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Records one write before it happens: the property's node and, for a removal, its position.</summary>
    private void Track(JsonObject profile, string name, int index = -1)
    {
        var had = profile.TryGetPropertyValue(name, out var old);
        (_written ??= new List<Written>(4)).Add(new Written(name, had, old, index));
    }

    private static JsonNode? Detached(JsonNode? node) => node is { Parent: not null } ? node.DeepClone() : node;

    /// <param name="Name">The property.</param>
    /// <param name="Had">Whether the profile had it before the write.</param>
    /// <param name="Old">Its node before the write (detached from the profile once replaced).</param>
    /// <param name="Index">Its position when the write removed it; -1 for a write that set it (a replaced property keeps its position).</param>
    private readonly record struct Written(string Name, bool Had, JsonNode? Old, int Index);
}
