using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEngage.Profiles;

/// <summary>The outcome of reading one record: the record, or the reason it was refused.</summary>
public readonly record struct RecordReadResult(ParsedRecord? Record, RecordError? Error, string? DistinctId)
{
    public bool IsValid => Record is not null;
}

/// <summary>
/// Reads and validates one update record (contract §2, §3, §5). Pure: the caller supplies the
/// time the request was received. A refused record yields a <see cref="RecordError"/> naming the field.
/// </summary>
public sealed class RecordReader(ProfileLimits limits)
{
    private const double MillisecondsThreshold = 1e11;

    private static readonly HashSet<string> GroupOperations = ["$set", "$set_once", "$unset", "$remove", "$union", "$delete"];

    public ProfileLimits Limits { get; } = limits;

    public RecordReadResult Read(JsonElement record, ProfileKind kind, DateTimeOffset receivedAt)
    {
        var state = new ReadState(this);
        try
        {
            return new(state.Read(record, kind, receivedAt), null, state.DistinctId);
        }
        catch (RecordRejected rejected)
        {
            return new(null, rejected.Error, state.DistinctId);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to read a string holding an unpaired surrogate escape such as "\ud800".
            return new(null, new RecordError("", "the record holds a string that is not valid Unicode (an unpaired surrogate)"), state.DistinctId);
        }
    }

    private sealed class RecordRejected(RecordError error) : Exception(error.Message)
    {
        public RecordError Error { get; } = error;
    }

    private static RecordRejected Reject(string field, string message) => new(new RecordError(field, message));

    /// <summary>Parses a lenient boolean: <c>true/false</c>, <c>1/0</c>, <c>"true"/"false"</c>, <c>"1"/"0"</c>.</summary>
    public static bool? ParseLenientBoolean(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.TryGetInt64(out var n) && n is 0 or 1 => n == 1,
        JsonValueKind.String => value.GetString()!.Trim().ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => null,
        },
        _ => null,
    };

    /// <summary>Reads <c>$time</c>: seconds or milliseconds since the epoch (above 1e11 means milliseconds).</summary>
    public static DateTimeOffset? ParseTime(JsonElement value)
    {
        double number;
        if (value.ValueKind == JsonValueKind.Number)
        {
            number = value.GetDouble();
        }
        else if (value.ValueKind != JsonValueKind.String
            || !double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            return null;
        }

        if (!double.IsFinite(number) || number < 0)
        {
            return null;
        }

        var milliseconds = number > MillisecondsThreshold ? number : number * 1000;
        if (milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return null;
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Floor(milliseconds));
    }

    /// <summary>
    /// The decimal string of a numeric distinct id, e.g. <c>12345</c> or <c>1.5</c>: exact for every
    /// JSON number (<c>1e2</c> is <c>100</c>, <c>1.50</c> is <c>1.5</c>), so two different numbers never
    /// share an id. A decimal string longer than any valid id is cut after its first 1025 characters.
    /// </summary>
    public static string NumberToId(JsonElement number)
    {
        if (number.TryGetInt64(out var integer))
        {
            return integer.ToString(CultureInfo.InvariantCulture);
        }

        return ExactDecimal(number.GetRawText());
    }

    /// <summary>Writes a JSON number literal in plain decimal notation, without exponent or trailing fraction zeros.</summary>
    private static string ExactDecimal(string literal)
    {
        const int Cap = 1024;
        var negative = literal.StartsWith('-');
        var body = negative ? literal[1..] : literal;
        var e = body.IndexOfAny(['e', 'E']);
        var mantissa = e < 0 ? body : body[..e];
        var exponent = 0L;
        if (e >= 0)
        {
            var text = body[(e + 1)..];
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
            {
                exponent = text.StartsWith('-') ? -(long)int.MaxValue : int.MaxValue;
            }
        }

        var dot = mantissa.IndexOf('.');
        var digits = dot < 0 ? mantissa : string.Concat(mantissa.AsSpan(0, dot), mantissa.AsSpan(dot + 1));
        // The decimal point sits before digits[point].
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        point -= leading;
        if (digits.Length == 0)
        {
            return "0";
        }

        string plain;
        if (point <= 0)
        {
            plain = "0." + new string('0', (int)Math.Min(-point, Cap)) + digits;
        }
        else if (point >= digits.Length)
        {
            plain = digits + new string('0', (int)Math.Min(point - digits.Length, Cap));
        }
        else
        {
            plain = digits[..(int)point] + "." + digits[(int)point..];
        }

        plain = (negative ? "-" : "") + plain;
        return plain.Length > Cap + 1 ? plain[..(Cap + 1)] : plain;
    }

    private sealed class ReadState(RecordReader reader)
    {
        private readonly ProfileLimits _limits = reader.Limits;
        private readonly List<RecordWarning> _warnings = [];

        /// <summary>The first <c>"$ip"</c> inside <c>$set</c> or <c>$set_once</c>: the record's IP when it has no top-level one.</summary>
        private (JsonElement Value, string Field)? _nestedIp;

        public string? DistinctId { get; private set; }

        public ParsedRecord Read(JsonElement record, ProfileKind kind, DateTimeOffset receivedAt)
        {
            if (record.ValueKind != JsonValueKind.Object)
            {
                throw Reject("", $"a record must be a JSON object, not {Describe(record.ValueKind)}");
            }

            JsonElement? token = null, distinctId = null, groupKey = null, groupId = null, time = null, ip = null;
            JsonElement? ignoreTime = null, ignoreAlias = null, latitude = null, longitude = null;
            var operations = new Dictionary<string, JsonElement>(StringComparer.Ordinal);

            foreach (var property in record.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "$token": token = property.Value; break;
                    case "$distinct_id": distinctId = property.Value; break;
                    case "$group_key": groupKey = property.Value; break;
                    case "$group_id": groupId = property.Value; break;
                    case "$time": time = property.Value; break;
                    case "$ip": ip = property.Value; break;
                    case "$ignore_time": ignoreTime = property.Value; break;
                    case "$ignore_alias": ignoreAlias = property.Value; break;
                    case "$latitude": latitude = property.Value; break;
                    case "$longitude": longitude = property.Value; break;
                    case "$set" or "$set_once" or "$add" or "$union" or "$append" or "$remove" or "$unset" or "$delete":
                        operations[property.Name] = property.Value;
                        break;
                    default:
                        break; // $device_id, $user_id, $mp_metadata, … are tolerated and ignored.
                }
            }

            string id;
            var group = "";
            if (kind == ProfileKind.User)
            {
                id = ReadId(distinctId, "$distinct_id");
            }
            else
            {
                if (groupKey is not { ValueKind: JsonValueKind.String } || string.IsNullOrWhiteSpace(groupKey.Value.GetString()))
                {
                    throw Reject("$group_key", "$group_key is required and must be a non-empty string");
                }

                group = groupKey.Value.GetString()!;
                id = ReadId(groupId, "$group_id");
            }

            if (token is not { ValueKind: JsonValueKind.String } || token.Value.GetString()!.Length == 0)
            {
                throw Reject("$token", "$token is required and must be a non-empty string");
            }

            var updateTime = receivedAt;
            if (time is { } timeValue)
            {
                updateTime = ParseTime(timeValue)
                    ?? throw Reject("$time", "$time must be seconds or milliseconds since the epoch, as a number or numeric string");
            }

            var (ipAddress, ipDisabled) = ip is { } ipValue ? ReadIp(ipValue, "$ip") : (null, false);

            var ignoreTimeFlag = ReadFlag(ignoreTime, "$ignore_time");
            var ignoreAliasFlag = ReadFlag(ignoreAlias, "$ignore_alias");
            RequireNumber(latitude, "$latitude");
            RequireNumber(longitude, "$longitude");

            if (operations.Count == 0)
            {
                throw Reject("", kind == ProfileKind.User
                    ? "the record has no operation ($set, $set_once, $add, $union, $append, $remove, $unset or $delete)"
                    : "the record has no operation ($set, $set_once, $union, $remove, $unset or $delete)");
            }

            if (operations.ContainsKey("$delete") && operations.Count > 1)
            {
                throw Reject("$delete", "$delete cannot be combined with another operation");
            }

            if (kind == ProfileKind.Group)
            {
                foreach (var name in operations.Keys)
                {
                    if (!GroupOperations.Contains(name))
                    {
                        throw Reject(name, $"{name} is not supported for group profiles");
                    }
                }
            }

            // $set and $set_once are read first: an "$ip" inside them is the record's IP, not a property.
            var setValues = operations.TryGetValue("$set", out var set) ? ReadValues(set, "$set") : null;
            var setOnceValues = operations.TryGetValue("$set_once", out var setOnce) ? ReadValues(setOnce, "$set_once") : null;
            if (ip is not { ValueKind: not JsonValueKind.Null } && _nestedIp is { } nested)
            {
                (ipAddress, ipDisabled) = ReadIp(nested.Value, nested.Field);
            }

            return new ParsedRecord
            {
                Token = token.Value.GetString()!,
                DistinctId = id,
                GroupKey = group,
                Time = updateTime,
                TimeFromRecord = time is not null,
                Ip = ipAddress,
                IpDisabled = ipDisabled,
                IgnoreTime = ignoreTimeFlag,
                IgnoreAlias = ignoreAliasFlag,
                Operations = new ProfileOperations
                {
                    Set = setValues,
                    SetOnce = setOnceValues,
                    Add = operations.TryGetValue("$add", out var add) ? ReadNumbers(add) : null,
                    Union = operations.TryGetValue("$union", out var union) ? ReadLists(union) : null,
                    Append = operations.TryGetValue("$append", out var append) ? ReadValues(append, "$append") : null,
                    Remove = operations.TryGetValue("$remove", out var remove) ? ReadValues(remove, "$remove") : null,
                    Unset = operations.TryGetValue("$unset", out var unset) ? ReadNames(unset) : null,
                    Delete = operations.ContainsKey("$delete"),
                },
                Warnings = _warnings,
            };
        }

        private string ReadId(JsonElement? value, string field)
        {
            var id = value switch
            {
                { ValueKind: JsonValueKind.String } text => text.GetString()!,
                { ValueKind: JsonValueKind.Number } number => NumberToId(number),
                null => throw Reject(field, $"{field} is required"),
                _ => throw Reject(field, $"{field} must be a string or a number, not {Describe(value.Value.ValueKind)}"),
            };

            DistinctId = id;
            if (string.IsNullOrWhiteSpace(id))
            {
                throw Reject(field, $"{field} must not be empty or white space");
            }

            if (id.Length > 255)
            {
                throw Reject(field, $"{field} is longer than 255 characters (ids are never truncated)");
            }

            return id;
        }

        /// <summary>
        /// Reads an <c>$ip</c>: an address string, <c>"0"</c>/<c>0</c> to turn geolocation off, or null
        /// (as if absent); anything else makes the record invalid.
        /// </summary>
        private static (string? Address, bool Disabled) ReadIp(JsonElement value, string field) => value.ValueKind switch
        {
            JsonValueKind.String when value.GetString()!.Trim() == "0" => (null, true),
            JsonValueKind.Number when value.TryGetInt64(out var zero) && zero == 0 => (null, true),
            JsonValueKind.String => (value.GetString()!.Trim(), false),
            JsonValueKind.Null => (null, false),
            _ => throw Reject(field, $"{field} must be an IP address string, or \"0\" to turn geolocation off"),
        };

        private static bool ReadFlag(JsonElement? value, string field)
        {
            if (value is not { } flag || flag.ValueKind == JsonValueKind.Null)
            {
                return false;
            }

            return ParseLenientBoolean(flag)
                ?? throw Reject(field, $"{field} must be a boolean (true/false, 1/0, \"true\"/\"false\", \"1\"/\"0\")");
        }

        private static void RequireNumber(JsonElement? value, string field)
        {
            if (value is { } number && number.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
            {
                throw Reject(field, $"{field} must be a number");
            }
        }

        private JsonElement.ObjectEnumerator RequireObject(JsonElement value, string operation, string shape)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                throw Reject(operation, $"{operation} must be {shape}, not {Describe(value.ValueKind)}");
            }

            return value.EnumerateObject();
        }

        private string PropertyName(string name, string operation)
        {
            if (name.Length <= _limits.MaxPropertyNameLength)
            {
                return name;
            }

            var truncated = name[.._limits.MaxPropertyNameLength];
            if (char.IsHighSurrogate(truncated[^1]))
            {
                truncated = truncated[..^1];
            }

            _warnings.Add(new RecordWarning($"{operation}.{truncated}",
                $"property name of {name.Length} characters truncated to {_limits.MaxPropertyNameLength}"));
            return truncated;
        }

        private List<KeyValuePair<string, JsonNode?>> ReadValues(JsonElement value, string operation)
        {
            var result = new List<KeyValuePair<string, JsonNode?>>();
            foreach (var property in RequireObject(value, operation, "an object of property names and values"))
            {
                if (property.Name == "$ip" && operation is ("$set" or "$set_once"))
                {
                    // Several SDKs send the record's IP this way (Go's SetIp, "$ip": 0 in the Java and Go
                    // docs): it is used for geolocation and never stored.
                    _nestedIp ??= (property.Value, $"{operation}.$ip");
                    continue;
                }

                var name = PropertyName(property.Name, operation);
                var field = $"{operation}.{name}";
                result.Add(new(name, ReadValue(property.Value, field, depth: 0)));
                if (property.Value.ValueKind == JsonValueKind.Array)
                {
                    CheckListSize(result[^1].Value, field);
                }
            }

            return result;
        }

        private List<KeyValuePair<string, decimal>> ReadNumbers(JsonElement value)
        {
            var result = new List<KeyValuePair<string, decimal>>();
            foreach (var property in RequireObject(value, "$add", "an object of property names and numbers"))
            {
                var name = PropertyName(property.Name, "$add");
                var field = $"$add.{name}";
                var number = property.Value.ValueKind switch
                {
                    JsonValueKind.Number when property.Value.TryGetDecimal(out var d) => d,
                    JsonValueKind.Number => throw Reject(field, "the number is out of range for $add"),
                    JsonValueKind.String when decimal.TryParse(property.Value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
                    _ => throw Reject(field, $"$add needs a number or a numeric string, not {Describe(property.Value)}"),
                };
                result.Add(new(name, number));
            }

            return result;
        }

        private List<KeyValuePair<string, JsonArray>> ReadLists(JsonElement value)
        {
            var result = new List<KeyValuePair<string, JsonArray>>();
            foreach (var property in RequireObject(value, "$union", "an object of property names and lists"))
            {
                var name = PropertyName(property.Name, "$union");
                var field = $"$union.{name}";
                var node = ReadValue(property.Value, field, depth: 0);
                var list = node as JsonArray ?? [node];
                CheckListSize(list, field);
                result.Add(new(name, list));
            }

            return result;
        }

        private List<string> ReadNames(JsonElement value)
        {
            var result = new List<string>();
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    result.Add(PropertyName(value.GetString()!, "$unset"));
                    break;
                case JsonValueKind.Array:
                    foreach (var item in value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String)
                        {
                            throw Reject("$unset", $"$unset must list property names as strings, not {Describe(item.ValueKind)}");
                        }

                        result.Add(PropertyName(item.GetString()!, "$unset"));
                    }

                    break;
                default:
                    throw Reject("$unset", $"$unset must be a list of property names, not {Describe(value.ValueKind)}");
            }

            return result;
        }

        /// <summary>Copies a value, truncating long strings and enforcing nesting and key limits.</summary>
        private JsonNode? ReadValue(JsonElement value, string field, int depth)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    var text = value.GetString()!;
                    var truncated = Utf8Truncation.Truncate(text, _limits.MaxStringBytes);
                    if (truncated.Length != text.Length)
                    {
                        _warnings.Add(new RecordWarning(field, $"string value truncated to {_limits.MaxStringBytes} bytes"));
                    }

                    return JsonValue.Create(truncated);
                case JsonValueKind.Object:
                    if (depth + 1 > _limits.MaxObjectDepth)
                    {
                        throw Reject(field, $"objects may nest at most {_limits.MaxObjectDepth} levels deep");
                    }

                    var obj = new JsonObject();
                    foreach (var property in value.EnumerateObject())
                    {
                        if (obj.Count == _limits.MaxObjectKeys)
                        {
                            throw Reject(field, $"an object may have at most {_limits.MaxObjectKeys} keys");
                        }

                        obj[property.Name] = ReadValue(property.Value, $"{field}.{property.Name}", depth + 1);
                    }

                    return obj;
                case JsonValueKind.Array:
                    var array = new JsonArray();
                    foreach (var item in value.EnumerateArray())
                    {
                        array.Add(ReadValue(item, field, depth));
                    }

                    return array;
                case JsonValueKind.Null:
                    return null;
                case JsonValueKind.Number:
                    if (StorableNumber.Problem(value.GetRawText()) is { } problem)
                    {
                        throw Reject(field, problem);
                    }

                    return JsonValue.Create(value.Clone());
                default:
                    return JsonValue.Create(value.Clone());
            }
        }

        private void CheckListSize(JsonNode? list, string field)
        {
            if (list is JsonArray && JsonSize.Utf8Bytes(list) > _limits.MaxListBytes)
            {
                throw Reject(field, $"a list property may be at most {_limits.MaxListBytes} bytes");
            }
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Describe(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? $"the string \"{value.GetString()}\"" : Describe(value.ValueKind);
}
