using AvCloud.DockSync;

namespace AvCloud.Tests.DockSync;

/// <summary>
/// What the person at the dock (or a service manager) gets from the command line itself: help on every command, and a
/// mistake named with exit code 2 before any settings are read or anything is sent.
/// </summary>
public sealed class CliTests
{
    private static async Task<(int Exit, string Output, string Errors)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await Cli.RunAsync(args, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }

    [Fact]
    public async Task Help_names_every_command_and_exits_0()
    {
        var (exit, output, errors) = await RunAsync("--help");

        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        foreach (var command in new[] { "push <DIR>", "watch <DIR>", "status" })
        {
            Assert.Contains(command, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("push", "--help", "--wipe-after-verify", "--max-mbps")]
    [InlineData("watch", "-h", "--interval", "--max-mbps")]
    [InlineData("status", "--help", "--json", "--settings")]
    public async Task Each_command_has_its_own_help(string command, string help, string option, string otherOption)
    {
        var (exit, output, _) = await RunAsync(command, help);

        Assert.Equal(0, exit);
        Assert.Contains($"avdock {command}", output, StringComparison.Ordinal);
        Assert.Contains(option, output, StringComparison.Ordinal);
        Assert.Contains(otherOption, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_option_is_named_and_exits_2()
    {
        var (exit, output, errors) = await RunAsync("push", "/media/recorders", "--wipe-before-verify");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("'--wipe-before-verify'", errors, StringComparison.Ordinal);
        Assert.Contains("avdock push --help", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_or_none_exits_2()
    {
        var (unknown, _, unknownErrors) = await RunAsync("pull", "/media/recorders");
        var (none, _, noneErrors) = await RunAsync();

        Assert.Equal((2, 2), (unknown, none));
        Assert.Contains("'pull'", unknownErrors, StringComparison.Ordinal);
        Assert.Contains("avdock --help", noneErrors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("push")]
    [InlineData("watch")]
    public async Task A_missing_DIR_is_named_and_exits_2(string command)
    {
        var (exit, _, errors) = await RunAsync(command, "--settings", "avdock.json");

        Assert.Equal(2, exit);
        Assert.Contains($"{command} needs DIR", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("push", "--max-mbps", "fast")]
    [InlineData("push", "--max-mbps", "0")]
    [InlineData("watch", "--max-mbps", "-5")]
    [InlineData("watch", "--interval", "0")]
    [InlineData("watch", "--interval", "2d")]
    public async Task A_bad_number_is_named_with_its_option_and_exits_2(string command, string option, string value)
    {
        // The settings file does not exist: the command line is checked first.
        var (exit, _, errors) = await RunAsync(command, "/media/recorders", option, value, "--settings", "/nonexistent/avdock.json");

        Assert.Equal(2, exit);
        Assert.Contains($"{option} takes a positive number", errors, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("No settings file", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_option_without_its_value_is_named_and_exits_2()
    {
        var (exit, _, errors) = await RunAsync("push", "/media/recorders", "--max-mbps");

        Assert.Equal(2, exit);
        Assert.Contains("'--max-mbps'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_settings_the_file_named_by_AVDOCK_SETTINGS_is_read()
    {
        var path = Path.Combine(Path.GetTempPath(), $"avdock-{Guid.NewGuid():N}", "avdock.json");
        Environment.SetEnvironmentVariable("AVDOCK_SETTINGS", path);
        try
        {
            var (exit, _, errors) = await RunAsync("status");

            // A good command line whose settings cannot be read: 1, with the file named.
            Assert.Equal(1, exit);
            Assert.Contains($"No settings file at {path}", errors, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AVDOCK_SETTINGS", null);
        }
    }
}
