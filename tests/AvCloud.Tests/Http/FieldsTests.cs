using AvCloud.Functions.Http;

namespace AvCloud.Tests.Http;

/// <summary>The ids people and docks give (devices, officers, activities), on the rule alone.</summary>
public sealed class FieldsTests
{
    [Theory]
    [InlineData("cam-1", true)]
    [InlineData("officer.zhang_2", true)]
    [InlineData("cam-1\n", false)]
    [InlineData("../etc", false)]
    [InlineData("-cam", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void An_id_is_letters_digits_dots_underscores_and_dashes_and_nothing_after(string? id, bool accepted) =>
        Assert.Equal(accepted, Fields.IsId(id));
}
