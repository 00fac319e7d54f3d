using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;
using static OpenEngage.Profiles.Tests.TestKit;

namespace OpenEngage.Profiles.Tests;

/// <summary>
/// Numbers a store cannot keep exactly as given make their record invalid, wherever they appear;
/// an <c>$add</c> whose sum is not a number rejects its record and changes nothing.
/// </summary>
public class StorableNumberTests
{
    public static TheoryData<string> Storable => new()
    {
        "0", "-0", "1", "-1", "1.50", "1E+2", "1e308", "-1.7976931348623157e308", "5e-324", "-4.9e-324",
        "2.2250738585072014e-308", "0e200000", "0e-16383", "123456789012345678901234567890",
        "0." + new string('1', StorableNumber.MaxFractionDigits),
        "1" + new string('0', 308),
    };

    public static TheoryData<string> NotStorable => new()
    {
        "1e400", "-1e400", "1e9999999999", "1e200000", "1.7976931348623159e308", "1" + new string('0', 309),
        "1e-400", "-1e-20000", "1e-9999999999", "4e-325",
        "0e-16384", "0.0e-16383", "0e-99999999999999999999",
        "0." + new string('1', StorableNumber.MaxFractionDigits + 1),
        "1.5e-16383",
    };

    [Theory]
    [MemberData(nameof(Storable))]
    public void A_number_every_store_keeps_is_valid_and_kept_as_given(string number)
    {
        Assert.Null(StorableNumber.Problem(number));
        var profile = Upsert(null, $$""" "$set":{"x":{{number}}} """);
        Assert.Equal(number, profile["x"]!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(NotStorable))]
    public void A_number_a_store_cannot_keep_makes_the_record_invalid(string number)
    {
        Assert.NotNull(StorableNumber.Problem(number));
        Assert.Equal("$set.x", Invalid(Record($$""" "$set":{"x":{{number}}} """)).Field);
    }

    [Theory]
    [InlineData("\"$set\":{\"a\":{\"b\":[1e400]}}", "$set.a.b")]
    [InlineData("\"$set_once\":{\"x\":1e400}", "$set_once.x")]
    [InlineData("\"$union\":{\"tags\":[1,1e-400]}", "$union.tags")]
    [InlineData("\"$union\":{\"tags\":1e400}", "$union.tags")]
    [InlineData("\"$append\":{\"log\":{\"v\":1e200000}}", "$append.log.v")]
    [InlineData("\"$remove\":{\"log\":1e-20000}", "$remove.log")]
    [InlineData("\"$set\":{\"ok\":1},\"$append\":{\"log\":-1e9999999999}", "$append.log")]
    public void Every_operation_refuses_such_a_number_and_names_where_it_is(string members, string field)
    {
        var error = Invalid(Record(members));
        Assert.Equal(field, error.Field);
        Assert.Contains("number", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e309", "1e28")]
    [InlineData("1e400", "1")]
    [InlineData("-1e400", "-1")]
    public void An_add_whose_sum_is_not_a_number_rejects_the_record_and_changes_nothing(string stored, string delta)
    {
        // A finite double plus any decimal stays finite: such a stored value can only be data written before numbers were checked.
        var current = $$"""{"x":{{stored}},"y":1,"$created":"2024-01-01T00:00:00","$last_seen":"2024-01-01T00:00:00"}""";
        var before = Profile(current)!.ToJsonString();
        var result = Apply(current, $$""" "$set":{"y":2},"$add":{"x":{{delta}}} """);

        Assert.Equal(ApplyStatus.Rejected, result.Status);
        Assert.False(result.IsApplied);
        Assert.Null(result.Profile);
        Assert.Equal("$add.x", result.Error!.Field);
        Assert.Contains("range", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Profile(current)!.ToJsonString());
    }

    [Fact]
    public void An_add_beyond_decimal_but_within_double_still_applies()
    {
        var profile = Upsert("""{"x":1e300}""", """ "$add":{"x":1} """);
        Assert.Equal(1e300, (double)profile["x"]!);
    }

    [Fact]
    public void Any_finite_double_is_storable_and_round_trips()
    {
        Gen.Double.Where(double.IsFinite).Sample(value =>
        {
            var literal = value.ToString("R", CultureInfo.InvariantCulture);
            Assert.Null(StorableNumber.Problem(literal));
            var profile = Upsert(null, $$""" "$set":{"x":{{literal}}} """);
            Assert.Equal(value, double.Parse(profile["x"]!.ToJsonString(), CultureInfo.InvariantCulture));
        }, iter: 2000);
    }

    [Fact]
    public void A_number_beyond_the_double_range_is_never_storable()
    {
        Gen.Select(Gen.Int[1, 9], Gen.Int[309, 100_000], Gen.Bool).Sample((digit, exponent, negative) =>
            Assert.NotNull(StorableNumber.Problem($"{(negative ? "-" : "")}{digit}e{exponent}")), iter: 2000);
    }

    [Fact]
    public void The_fraction_digit_rule_matches_writing_the_number_out_in_full()
    {
        // mantissa with f fraction digits, scaled by 10^e: written out it has max(0, f - e) fraction digits.
        Gen.Select(Gen.Int[0, 40], Gen.Int[-16_500, 16_500]).Sample((fraction, exponent) =>
        {
            var literal = "0." + new string('0', fraction) + "e" + exponent.ToString(CultureInfo.InvariantCulture);
            var digits = fraction + 1 - exponent;
            Assert.Equal(digits > StorableNumber.MaxFractionDigits, StorableNumber.Problem(literal) is not null);
        }, iter: 2000);
    }

    [Fact]
    public void Adding_never_produces_a_value_that_cannot_be_stored()
    {
        Gen.Select(Gen.Double.Where(double.IsFinite), Gen.Decimal).Sample((stored, delta) =>
        {
            var node = JsonNode.Parse(stored.ToString("R", CultureInfo.InvariantCulture))!;
            if (NumberMath.TryAdd(node, delta, out var sum))
            {
                Assert.Null(StorableNumber.Problem(sum.ToJsonString()));
            }
            else
            {
                Assert.False(double.IsFinite(stored + (double)delta));
            }
        }, iter: 2000);
    }
}
