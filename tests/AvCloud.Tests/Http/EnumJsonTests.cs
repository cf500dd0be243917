using System.Text.Json;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Devices;
using AvCloud.Functions.Http;

namespace AvCloud.Tests.Http;

/// <summary>Enums in bodies and query strings are read one way: by camelCase name in any case; numbers and unknown names are refused.</summary>
public sealed class EnumJsonTests
{
    public sealed record Request(AccessMode Mode, AccessStatus? Status = null, IReadOnlyList<Item>? Files = null);

    public sealed record Item(DeviceKind Kind);

    private static Request Read(string json) => JsonSerializer.Deserialize<Request>(json, AvCloudJson.Options)!;

    [Fact]
    public void Enums_are_written_as_camel_case_names()
    {
        Assert.Equal("""{"mode":"copy","status":"pending","files":[{"kind":"bodyWornCamera"}]}""",
            JsonSerializer.Serialize(new Request(AccessMode.Copy, AccessStatus.Pending, [new Item(DeviceKind.BodyWornCamera)]), AvCloudJson.Options));
        Assert.Equal("""{"view":1}""", JsonSerializer.Serialize(new Dictionary<AccessMode, int> { [AccessMode.View] = 1 }, AvCloudJson.Options));
    }

    [Theory]
    [InlineData("PENDING")]
    [InlineData("Pending")]
    [InlineData("pending")]
    public void Names_are_read_in_any_case(string name)
    {
        var request = Read($$"""{"mode":"VIEW","status":"{{name}}","files":[{"kind":"BODYWORNCAMERA"}]}""");

        Assert.Equal(new Request(AccessMode.View, AccessStatus.Pending, request.Files), request);
        Assert.Equal(DeviceKind.BodyWornCamera, Assert.Single(request.Files!).Kind);
        Assert.Equal(AccessMode.Copy, JsonSerializer.Deserialize<Dictionary<AccessMode, int>>("""{"Copy":2}""", AvCloudJson.Options)!.Keys.Single());
    }

    [Fact]
    public void A_missing_or_null_optional_enum_is_null()
    {
        Assert.Null(Read("""{"mode":"view"}""").Status);
        Assert.Null(Read("""{"mode":"view","status":null}""").Status);
    }

    [Theory]
    [InlineData("""{"mode":"download"}""", "$.mode", "mode")]
    [InlineData("""{"mode":1}""", "$.mode", "mode")]
    [InlineData("""{"mode":"1"}""", "$.mode", "mode")]
    [InlineData("""{"mode":""}""", "$.mode", "mode")]
    [InlineData("""{"mode":true}""", "$.mode", "mode")]
    [InlineData("""{"mode":"view","status":"approved, pending"}""", "$.status", "status")]
    [InlineData("""{"mode":"view","files":[{"kind":"camera"},{"kind":"drone"}]}""", "$.files[1].kind", "files[1].kind")]
    public void Numbers_and_unknown_names_are_refused_naming_the_field(string json, string path, string field)
    {
        var refused = Assert.Throws<JsonEnumException>(() => Read(json));

        Assert.Equal(path, refused.Path);
        Assert.Equal(field, refused.Field);
        Assert.NotEmpty(refused.Allowed);
        Assert.DoesNotContain("download", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_refusal_lists_the_names_that_would_do()
    {
        var refused = Assert.Throws<JsonEnumException>(() => Read("""{"mode":"download"}"""));

        Assert.Equal(typeof(AccessMode), refused.EnumType);
        Assert.Equal(["view", "copy"], refused.Allowed);
        Assert.Equal("The mode is one of: view, copy.", AvCloudJson.OneOf(AvCloudJson.Leaf(refused.Field), refused.Allowed));
    }

    [Theory]
    [InlineData("$", "body")]
    [InlineData("$.Mode", "mode")]
    [InlineData("$.files[0].Kind", "files[0].kind")]
    [InlineData("$['odd.name'][2]", "odd.name[2]")]
    [InlineData("$.recordingRequiredFor[3]", "recordingRequiredFor[3]")]
    public void A_serializer_path_becomes_the_field_callers_write(string path, string field) =>
        Assert.Equal(field, AvCloudJson.Field(path));

    [Theory]
    [InlineData("files[0].kind", "kind")]
    [InlineData("recordingRequiredFor[3]", "recordingRequiredFor")]
    [InlineData("mode", "mode")]
    public void A_message_names_the_last_field(string field, string leaf) => Assert.Equal(leaf, AvCloudJson.Leaf(field));

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("copy", AccessMode.Copy)]
    [InlineData("COPY", AccessMode.Copy)]
    [InlineData("View", AccessMode.View)]
    public void A_query_filter_is_read_in_any_case_and_absent_is_null(string? value, AccessMode? expected) =>
        Assert.Equal(expected, AvCloudJson.ParseQuery<AccessMode>(value, "mode"));

    [Theory]
    [InlineData("1")]
    [InlineData("download")]
    [InlineData(" copy")]
    public void A_query_filter_that_names_no_value_is_a_problem_naming_the_parameter(string value)
    {
        var problem = Assert.Throws<ProblemException>(() => AvCloudJson.ParseQuery<AccessMode>(value, "mode"));

        Assert.Equal(400, problem.Status);
        Assert.Equal(["The mode is one of: view, copy."], problem.Errors!["mode"]);
    }

    [Fact]
    public void Name_names_and_exact_parse_keep_their_meaning()
    {
        Assert.Equal("tradeSecret", AvCloudJson.Name(Classification.TradeSecret));
        Assert.Equal("none, privacy, tradeSecret, stateSecret", AvCloudJson.Names<Classification>());
        Assert.Equal(Classification.TradeSecret, AvCloudJson.Parse<Classification>("tradeSecret"));
        Assert.Null(AvCloudJson.Parse<Classification>("TradeSecret"));
        Assert.Null(AvCloudJson.Parse<Classification>("2"));
        Assert.Null(AvCloudJson.Parse<Classification>(null));
    }

    [Fact]
    public void A_value_outside_the_enum_is_not_written()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Serialize((AccessMode)7, AvCloudJson.Options));
        Assert.Equal("7", AvCloudJson.Name((AccessMode)7));
    }
}
