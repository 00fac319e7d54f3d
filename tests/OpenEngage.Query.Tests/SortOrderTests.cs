using System.Text.Json.Nodes;

namespace OpenEngage.Query.Tests;

/// <summary>The reference order of <c>sort_key</c>, which both stores are checked against.</summary>
public class SortOrderTests
{
    [Fact]
    public void Values_sort_missing_and_null_then_numbers_and_booleans_then_text_lists_and_objects()
    {
        string?[] ascending =
        [
            null, "null", "-1.5", "false", "0.5", "true", "2", "9007199254740993", "9007199254740994.0", "1e300",
            "\"\"", "\"B\"", "[1,2]", "\"[1]\"", "\"a\"", "{\"k\":1}", "\"é\"", "\"\uFFFD\"", "\"😀\"",
        ];

        for (var i = 0; i < ascending.Length; i++)
        {
            for (var j = 0; j < ascending.Length; j++)
            {
                var left = SortValue.Of(ascending[i] is { } l ? JsonNode.Parse(l) : null);
                var right = SortValue.Of(ascending[j] is { } r ? JsonNode.Parse(r) : null);
                var expected = (i, j) switch
                {
                    (0, 1) or (1, 0) => 0,
                    _ => i.CompareTo(j),
                };
                Assert.True(Math.Sign(SortOrder.Compare(left, right)) == expected, $"{ascending[i] ?? "missing"} vs {ascending[j] ?? "missing"}");
            }
        }
    }

    [Fact]
    public void An_integer_and_a_double_compare_exactly()
    {
        Assert.True(SortOrder.Compare(SortValue.FromInteger(9007199254740993), SortValue.FromReal(9007199254740992d)) > 0);
        Assert.True(SortOrder.Compare(SortValue.FromInteger(long.MaxValue), SortValue.FromReal(9223372036854775807d)) < 0);
        Assert.Equal(0, SortOrder.Compare(SortValue.FromInteger(3), SortValue.FromReal(3d)));
    }

    [Fact]
    public void Ties_go_by_id_ascending_in_both_directions_and_ids_by_code_point()
    {
        Assert.True(SortOrder.Compare(SortValue.FromInteger(1), "b", SortValue.FromInteger(1), "a", descending: true) > 0);
        Assert.True(SortOrder.Compare(SortValue.FromInteger(2), "b", SortValue.FromInteger(1), "a", descending: true) < 0);
        Assert.True(SortOrder.CompareIds("\uFFFD", "😀") < 0);
        Assert.True(SortOrder.CompareIds("Z", "a") < 0);
    }
}
