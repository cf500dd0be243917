using System.Net;
using System.Net.Http.Json;
using AvCloud.Functions;
using AvCloud.Functions.Audit;

namespace AvCloud.Tests;

/// <summary>Calls to the API as the scenario tests make them: a JSON body, an answer read as AvCloud writes it.</summary>
public static class Api
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The request with <paramref name="body"/> as JSON (none when null).</summary>
    public static Task<HttpResponseMessage> CallAsync(this LocalCloudFixture fixture, HttpMethod method, string path, string token, object? body = null) =>
        fixture.SendAsync(method, path, token, body is null ? null : JsonContent.Create(body));

    public static async Task<HttpStatusCode> StatusAsync(this LocalCloudFixture fixture, HttpMethod method, string path, string token, object? body = null)
    {
        using var response = await fixture.CallAsync(method, path, token, body);
        return response.StatusCode;
    }

    /// <summary>The answer of a call that must succeed (its problem is the failure message when it does not).</summary>
    public static async Task<T> OkAsync<T>(this LocalCloudFixture fixture, HttpMethod method, string path, string token, object? body = null)
    {
        using var response = await fixture.CallAsync(method, path, token, body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<T>(AvCloudJson.Options, Cancel))!;
    }

    /// <summary>The unit's audit events of <paramref name="action"/>, as the head (who reads the whole trail) sees them.</summary>
    public static async Task<IReadOnlyList<AuditEvent>> AuditAsync(this LocalCloudFixture fixture, string headToken, AuditAction action) =>
        (await fixture.OkAsync<AuditPage>(HttpMethod.Get, $"/api/audit?action={action.Name}", headToken)).Items;

    /// <summary>The compliance report of the period from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static Task<Functions.Reports.Compliance> ComplianceAsync(this LocalCloudFixture fixture, string token, DateTimeOffset from, DateTimeOffset to) =>
        fixture.OkAsync<Functions.Reports.Compliance>(HttpMethod.Get,
            $"/api/reports/compliance?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}", token);
}
