using System.Text.Json.Nodes;

namespace OpenEngage.Query.Tests;

internal static class TestKit
{
    /// <summary>The evaluation time of every table row: 2024-06-01T00:00:00Z, Unix 1717200000.</summary>
    public static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public const string ProfileJson = """
        {
          "name": "Alice",
          "age": 30,
          "score": 12.5,
          "zero": 0,
          "neg": -3,
          "vip": true,
          "off": false,
          "nothing": null,
          "tags": ["a", "b", 3],
          "empty_list": [],
          "empty": "",
          "$last_seen": "2024-03-05T10:20:30",
          "$created": "2023-01-01T00:00:00",
          "text_date": "2024-03-05",
          "addr": {"city": "Paris"},
          "num_text": "12.5",
          "big": 1e40
        }
        """;

    public static JsonObject Profile() => JsonNode.Parse(ProfileJson)!.AsObject();

    public static Value Eval(string where) => WhereExpression.Parse(where).Evaluate(Profile(), Now);

    public static Value Eval(Expr expr, JsonObject profile) => Evaluator.Evaluate(expr, profile, Now);
}
