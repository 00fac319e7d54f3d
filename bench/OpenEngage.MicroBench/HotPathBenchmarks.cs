using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using OpenEngage.Profiles;

namespace OpenEngage.MicroBench;

/// <summary>
/// The per-record steps of <c>/engage</c> on one typical record of each kind the load generator
/// sends ($set of 4 properties, $add of 2, $union of 2 list values), against a stored profile of
/// about 20 properties with a 30-element list.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions StorageJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly RecordReader _reader = new(ProfileLimits.Default);
    private readonly ProfileEngine _engine = new(ProfileLimits.Default);

    private byte[] _setRecord = [];
    private ProfileUpdate _set = null!;
    private ProfileUpdate _add = null!;
    private ProfileUpdate _union = null!;
    private JsonObject _profile = null!;
    private string _profileText = "";

    [GlobalSetup]
    public void Setup()
    {
        _setRecord = Encoding.UTF8.GetBytes("""
            {"$token":"t","$distinct_id":"user-123456","$set":{"plan":"pro","city":"Zürich","score":42,"active":true}}
            """);
        _set = Read(_setRecord);
        _add = Read("""{"$token":"t","$distinct_id":"user-123456","$add":{"visits":1,"spend":9.5}}"""u8.ToArray());
        _union = Read("""{"$token":"t","$distinct_id":"user-123456","$union":{"tags":["tag-3","tag-99"]}}"""u8.ToArray());

        var profile = new JsonObject();
        for (var i = 0; i < 16; i++)
        {
            profile["property-" + i] = "value number " + i;
        }

        profile["visits"] = 12;
        profile["spend"] = 130.25m;
        profile["tags"] = new JsonArray([.. Enumerable.Range(0, 30).Select(i => (JsonNode)("tag-" + i))]);
        profile[ProfileEngine.Created] = "2024-01-01T00:00:00";
        profile[ProfileEngine.LastSeen] = "2024-04-30T00:00:00";
        _profileText = profile.ToJsonString(StorageJson);
        _profile = ParseProfile();
    }

    [Benchmark]
    public JsonDocument Decode() => JsonDocument.Parse(_setRecord);

    [Benchmark]
    public ProfileUpdate DecodeReadValidate() => Read(_setRecord);

    [Benchmark]
    public ApplyResult ApplySet() => _engine.Apply(_profile, _set);

    [Benchmark]
    public ApplyResult ApplyAdd() => _engine.Apply(_profile, _add);

    [Benchmark]
    public ApplyResult ApplyUnion() => _engine.Apply(_profile, _union);

    [Benchmark]
    public ApplyResult ApplyCreate() => _engine.Apply(null, _set);

    [Benchmark]
    public string Serialize() => _profile.ToJsonString(StorageJson);

    [Benchmark]
    public JsonObject ParseProfile() => (JsonObject)JsonNode.Parse(_profileText)!;

    private ProfileUpdate Read(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var result = _reader.Read(document.RootElement, ProfileKind.User, Now);
        var record = result.Record ?? throw new InvalidOperationException(result.Error?.ToString());
        return new ProfileUpdate { Key = new ProfileKey("project-1", record.GroupKey, record.DistinctId), Time = record.Time, TimeFromRecord = record.TimeFromRecord, IgnoreTime = record.IgnoreTime, Operations = record.Operations };
    }
}
