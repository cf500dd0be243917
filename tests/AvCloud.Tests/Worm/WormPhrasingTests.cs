using System.Globalization;
using System.Text;
using AvCloud.Local.Emulators;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AvCloud.Tests.Worm;

/// <summary>
/// Signed raw Blob REST requests that Azurite reads as a delete or overwrite of a held blob, phrased the ways a
/// client outside AvCloud might phrase them (found by reading Azurite 3.37's dispatcher and path parsing). Each is
/// refused, and the blob keeps its bytes, its legal hold and its policy. The gateway judges Azurite's own reading of
/// the request, so none of these needs a rule of its own; the tests show that no phrasing gets around it.
/// </summary>
public sealed class WormPhrasingTests(WormGatewayTests.PrivateCloud cloud) : IClassFixture<WormGatewayTests.PrivateCloud>, IAsyncLifetime
{
    private const string Evidence = "evidence bytes";

    private BlobContainerClient _container = null!;
    private SharedKeyRequests _raw = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private const string Account = Emulator.AzuriteAccount;

    private string Port => cloud.Azurite.BlobEndpoint.Port.ToString(CultureInfo.InvariantCulture);

    public async ValueTask InitializeAsync()
    {
        _container = new BlobServiceClient(cloud.Azurite.ConnectionString).GetBlobContainerClient($"phrasing-{Guid.NewGuid():N}");
        await _container.CreateAsync(cancellationToken: Cancel);
        _raw = new SharedKeyRequests(cloud.Azurite.BlobEndpoint, Account, Emulator.AzuriteKey);
    }

    public ValueTask DisposeAsync()
    {
        _raw.Dispose();
        return ValueTask.CompletedTask;
    }

    private DateTimeOffset PolicyUntil { get; } = TruncateToSeconds(DateTimeOffset.UtcNow.AddDays(730));

    /// <summary>Footage under a legal hold and an unlocked policy, as AvCloud leaves it.</summary>
    private async Task<BlobClient> HeldAsync(string? name = null)
    {
        var blob = _container.GetBlobClient(name ?? $"{Guid.NewGuid():N}.mp4");
        await blob.UploadAsync(BinaryData.FromString(Evidence), Cancel);
        await blob.SetImmutabilityPolicyAsync(new BlobImmutabilityPolicy { ExpiresOn = PolicyUntil, PolicyMode = BlobImmutabilityPolicyMode.Unlocked },
            cancellationToken: Cancel);
        await blob.SetLegalHoldAsync(true, Cancel);
        return blob;
    }

    private string PathOf(BlobClient blob) => $"/{Account}/{_container.Name}/{blob.Name}";

    private static async Task Refused(HttpResponseMessage response, int status = 409, string code = "BlobImmutableDueToLegalHold")
    {
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(code, response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.Single() : null);
        Assert.Contains($"<Code>{code}</Code>", body, StringComparison.Ordinal);
        response.Dispose();
    }

    private async Task Unchanged(BlobClient blob)
    {
        var download = (await blob.DownloadContentAsync(Cancel)).Value;
        Assert.Equal(Evidence, download.Content.ToString());
        Assert.Empty(download.Details.Metadata);
        Assert.True(download.Details.HasLegalHold);
        Assert.Equal(PolicyUntil, download.Details.ImmutabilityPolicy.ExpiresOn);
        Assert.Equal(BlobImmutabilityPolicyMode.Unlocked, download.Details.ImmutabilityPolicy.PolicyMode);
        Assert.Equal("application/octet-stream", download.Details.ContentType);
    }

    private static Dictionary<string, string> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("GET")]
    public async Task A_delete_sent_as_a_method_override_is_refused(string method)
    {
        var blob = await HeldAsync();

        await Refused(await _raw.SendAsync(method, PathOf(blob), Headers(("X-HTTP-Method", "DELETE"))));

        await Unchanged(blob);
    }

    [Theory]
    [InlineData("?versionid=2026-01-01T00:00:00.0000000Z")]
    [InlineData("?snapshot=")]
    [InlineData("?Snapshot=2026-01-01T00:00:00.0000000Z")]
    [InlineData("?SNAPSHOT=2026-01-01T00:00:00.0000000Z&versionid=2026-01-01T00:00:00.0000000Z")]
    public async Task A_delete_naming_a_version_an_empty_snapshot_or_a_snapshot_key_in_another_case_is_refused(string query)
    {
        // Azurite keeps no versions and reads query keys in their exact case: each of these deletes the current blob.
        var blob = await HeldAsync();

        await Refused(await _raw.SendAsync("DELETE", PathOf(blob) + query));

        await Unchanged(blob);
    }

    [Theory]
    [InlineData("?Comp=block&blockid=YmxvY2stMDAx")]
    [InlineData("?COMP=metadata")]
    [InlineData("?comp=Metadata")]
    public async Task A_put_whose_comp_Azurite_does_not_read_is_an_overwrite_and_is_refused(string query)
    {
        // Azurite matches "comp" by exact key and value; anything else is Put Blob, which replaces the content.
        var blob = await HeldAsync();

        await Refused(await _raw.SendAsync("PUT", PathOf(blob) + query, Headers(("x-ms-blob-type", "BlockBlob"), ("x-ms-meta-case", "rewritten")),
            body: Encoding.UTF8.GetBytes("replaced")));

        await Unchanged(blob);
    }

    [Fact]
    public async Task A_delete_through_the_secondary_account_alias_is_refused()
    {
        var blob = await HeldAsync();

        await Refused(await _raw.SendAsync("DELETE", $"/{Account}-secondary/{_container.Name}/{blob.Name}"));

        await Unchanged(blob);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-secondary")]
    public async Task A_delete_with_host_style_addressing_is_refused(string alias)
    {
        var blob = await HeldAsync();

        await Refused(await _raw.SendAsync("DELETE", $"/{_container.Name}/{blob.Name}", host: $"{Account}{alias}.localhost:{Port}"));

        await Unchanged(blob);
    }

    [Fact]
    public async Task A_delete_with_a_backslash_or_encoded_slashes_in_the_path_is_refused()
    {
        // Azurite decodes the whole path before splitting it, and turns "\" into "/" in blob names, as Azure does.
        var blob = await HeldAsync($"case-17/{Guid.NewGuid():N}.mp4");
        var file = blob.Name["case-17/".Length..];

        await Refused(await _raw.SendAsync("DELETE", $"/{Account}/{_container.Name}/case-17%5C{file}"));
        await Refused(await _raw.SendAsync("DELETE", $"/{Account}/{_container.Name}%2Fcase-17%2F{file}"));
        await Refused(await _raw.SendAsync("DELETE", $"/{Account}%2F{_container.Name}/case-17/{file}"));

        await Unchanged(blob);
    }

    [Fact]
    public async Task Setting_blob_properties_is_refused()
    {
        var blob = await HeldAsync();

        await Refused(await _raw.SendAsync("PUT", PathOf(blob) + "?comp=properties",
            Headers(("x-ms-blob-content-type", "text/plain"), ("x-ms-blob-content-md5", Convert.ToBase64String(new byte[16])))));

        await Unchanged(blob);
    }

    [Fact]
    public async Task A_page_or_append_blob_created_over_a_held_blob_is_refused()
    {
        var blob = await HeldAsync();

        await Refused(await _raw.SendAsync("PUT", PathOf(blob), Headers(("x-ms-blob-type", "PageBlob"), ("x-ms-blob-content-length", "512"))));
        await Refused(await _raw.SendAsync("PUT", PathOf(blob), Headers(("x-ms-blob-type", "AppendBlob"))));

        await Unchanged(blob);
    }

    [Fact]
    public async Task Deleting_the_container_by_method_override_is_refused()
    {
        var blob = await HeldAsync();

        await Refused(await _raw.SendAsync("POST", $"/{Account}/{_container.Name}?restype=container", Headers(("X-HTTP-Method", "DELETE"))),
            409, "ContainerImmutableStorageWithVersioningEnabled");
        await Refused(await _raw.SendAsync("DELETE", $"/{Account}-secondary/{_container.Name}?restype=container"),
            409, "ContainerImmutableStorageWithVersioningEnabled");

        Assert.True(await _container.ExistsAsync(Cancel));
        await Unchanged(blob);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_batch_is_judged_sub_request_by_sub_request_at_the_service_and_the_container_level(bool containerLevel)
    {
        var held = await HeldAsync();
        var plain = _container.GetBlobClient($"{Guid.NewGuid():N}.mp4");
        await plain.UploadAsync(BinaryData.FromString("not footage"), Cancel);
        var (body, contentType) = _raw.Batch([("DELETE", PathOf(held)), ("DELETE", PathOf(plain))]);
        var target = containerLevel ? $"/{Account}/{_container.Name}?restype=container&comp=batch" : $"/{Account}/?comp=batch";

        using var response = await _raw.SendAsync("POST", target, body: body, contentType: contentType);
        var text = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(202, (int)response.StatusCode);
        var parts = text.Split("Content-ID: ", StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        Assert.Equal(2, parts.Length);
        Assert.Contains("HTTP/1.1 409", parts.Single(p => p.StartsWith('0')), StringComparison.Ordinal);
        Assert.Contains("BlobImmutableDueToLegalHold", parts.Single(p => p.StartsWith('0')), StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 202", parts.Single(p => p.StartsWith('1')), StringComparison.Ordinal);
        Assert.False(await plain.ExistsAsync(Cancel));
        await Unchanged(held);
    }

    [Fact]
    public async Task A_snapshot_of_held_footage_can_be_deleted_without_touching_the_footage()
    {
        var blob = await HeldAsync();
        var snapshot = (await blob.CreateSnapshotAsync(cancellationToken: Cancel)).Value.Snapshot;

        using var deleted = await _raw.SendAsync("DELETE", PathOf(blob) + "?snapshot=" + Uri.EscapeDataString(snapshot));

        Assert.Equal(202, (int)deleted.StatusCode);
        Assert.False(await blob.WithSnapshot(snapshot).ExistsAsync(Cancel));
        await Unchanged(blob);
    }

    /// <summary>
    /// "Mutable" is a value of the policy-mode enum but no mode a policy can be set to. Azure's answer is not on record:
    /// the SDK refuses it before sending (its SetImmutibilityPolicyAsync_Mutable session has no request), so the
    /// gateway's refusal, 400 InvalidHeaderValue, is its own; what matters is that nothing is set or written.
    /// </summary>
    [Fact]
    public async Task A_policy_whose_mode_is_Mutable_is_refused_and_sets_nothing()
    {
        var held = await HeldAsync();
        var plain = _container.GetBlobClient($"{Guid.NewGuid():N}.mp4");
        await plain.UploadAsync(BinaryData.FromString(Evidence), Cancel);
        var fresh = _container.GetBlobClient($"{Guid.NewGuid():N}.mp4");
        var until = DateTimeOffset.UtcNow.AddDays(1).ToString("R", CultureInfo.InvariantCulture);
        var mutable = Headers(("x-ms-immutability-policy-mode", "Mutable"), ("x-ms-immutability-policy-until-date", until));

        await Refused(await _raw.SendAsync("PUT", PathOf(held) + "?comp=immutabilityPolicies", mutable), 400, "InvalidHeaderValue");
        await Refused(await _raw.SendAsync("PUT", PathOf(plain) + "?comp=immutabilityPolicies", mutable), 400, "InvalidHeaderValue");
        await Refused(await _raw.SendAsync("PUT", PathOf(fresh), new Dictionary<string, string>(mutable) { ["x-ms-blob-type"] = "BlockBlob" },
            Encoding.UTF8.GetBytes(Evidence)), 400, "InvalidHeaderValue");

        await Unchanged(held);
        Assert.Null((await plain.GetPropertiesAsync(cancellationToken: Cancel)).Value.ImmutabilityPolicy.ExpiresOn);
        Assert.False(await fresh.ExistsAsync(Cancel));
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), value.Offset);
}
