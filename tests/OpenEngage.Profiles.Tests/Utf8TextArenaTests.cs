using System.Text;
using System.Text.Json.Nodes;

namespace OpenEngage.Profiles.Tests;

public sealed class Utf8TextArenaTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(5_000, 300)]                           // many texts over several arrays
    [InlineData(3, Utf8TextArena.ChunkSize + 17)]      // each text larger than one array
    [InlineData(40, (Utf8TextArena.ChunkSize / 3) + 1)] // texts that do not fill an array evenly
    public void EveryTextCopiedInReadsBackWholeUntilTheArenaIsReleased(int count, int length)
    {
        var arena = new Utf8TextArena();
        var texts = Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes($"{i}:".PadRight(length, (char)('a' + (i % 26))))).ToList();

        var copies = texts.Select(text => arena.Copy(text)).ToList();

        for (var i = 0; i < count; i++)
        {
            Assert.True(copies[i].Span.SequenceEqual(texts[i]), $"text {i} changed");
        }

        arena.Release();
        var again = arena.Copy("after release"u8);
        Assert.Equal("after release", Encoding.UTF8.GetString(again.Span));
        arena.Release();
    }

    [Fact]
    public void AnEmptyTextIsEmpty()
    {
        var arena = new Utf8TextArena();
        Assert.True(arena.Copy([]).IsEmpty);
        arena.Release();
    }

    [Fact]
    public void TheSerialisersWriteTheSameTextIntoAnArenaAsIntoAnArray()
    {
        var arena = new Utf8TextArena();
        var before = JsonNode.Parse("""{"plan":"free","tags":["a"],"gone":1}""")!.AsObject();
        var after = JsonNode.Parse("""{"plan":"pro","tags":["a","Zoë \"b\""],"n":null}""")!.AsObject();
        var diff = ProfileDiff.Between(before, after);
        var update = new ProfileUpdate
        {
            Key = ProfileKey.User("p", "u"),
            Time = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero),
            Operations = new() { Set = [new("plan", "pro")], Union = [new("tags", new JsonArray("Zoë \"b\""))], Unset = ["gone"] },
        };

        Assert.True(diff.ToUtf8Json(arena).Span.SequenceEqual(diff.ToUtf8Json()));
        Assert.True(ProfileUpdateJson.SerializeToUtf8(update, arena).Span.SequenceEqual(ProfileUpdateJson.SerializeToUtf8(update)));
        arena.Release();
    }
}
