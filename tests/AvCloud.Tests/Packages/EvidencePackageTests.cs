using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AvCloud.Functions;
using AvCloud.Functions.Access;
using AvCloud.Functions.Audit;
using AvCloud.Functions.Footage;
using AvCloud.Functions.Identity;
using AvCloud.Functions.Packages;
using AvCloud.Packages;
using AvCloud.Tests.Ingest;

namespace AvCloud.Tests.Packages;

/// <summary>
/// Evidence packages end to end against the local cloud: an approved copy request yields one signed zip whose files,
/// manifest and custody match the catalogue and the audit trail; the verifier names every change made to it; and only
/// the approved requester, in time, gets one, never of state-secret footage.
/// </summary>
public sealed class EvidencePackageTests(LocalCloudFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Recorded = Recent.HoursAgo(6);

    private sealed record Unit(string Id, IReadOnlyList<FootageRecord> Footage, string Reviewer, string Head, string Keeper);

    private async Task<Unit> UnitAsync(int seed, int count = 2)
    {
        var dock = new Dock(fixture, $"pkg-{Guid.NewGuid():N}"[..12]);
        var contents = Enumerable.Range(0, count).Select(i => SyntheticWav.Create(seed + i, 8000)).ToList();
        var session = await dock.OpenAsync(Dock.Manifest(Recorded.AddHours(2), TimeSpan.Zero,
            [.. contents.Select((c, i) => Dock.FileEntry($"clip{i}.wav", "audio", c, Recorded.AddMinutes(i), TimeSpan.FromSeconds(1)))]));
        for (var i = 0; i < count; i++)
        {
            await Dock.UploadAsync(session, $"clip{i}.wav", contents[i]);
        }

        await dock.SettledAsync(session.SessionId);
        var footage = new List<FootageRecord>();
        foreach (var content in contents)
        {
            footage.Add(await dock.FootageAsync(Dock.Sha256(content)));
        }

        return new Unit(dock.Unit, footage, fixture.TokenFor(dock.Unit, Roles.Reviewer), fixture.TokenFor(dock.Unit, Roles.Head), fixture.TokenFor(dock.Unit, Roles.Keeper));
    }

    private async Task<string> CopyRequestAsync(Unit unit, string duration = "PT8H", bool approve = true)
    {
        using var asked = await fixture.SendAsync(HttpMethod.Post, "/api/access-requests", unit.Reviewer, JsonContent.Create(new
        {
            footageIds = unit.Footage.Select(f => f.Id).ToArray(),
            purpose = "行政诉讼举证",
            caseName = "街头摊贩纠纷",
            caseNumber = "XZSS-2026-031",
            mode = "copy",
            duration,
        }));
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var id = (await asked.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options, Cancel))!.Id;
        if (approve)
        {
            using var approved = await fixture.SendAsync(HttpMethod.Post, $"/api/access-requests/{id}/approve", unit.Head, JsonContent.Create(new { reason = "court filing" }));
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        return id;
    }

    private async Task<(HttpStatusCode Status, byte[] Body)> PackageAsync(string requestId, string token, string query = "")
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/access-requests/{requestId}/package{query}", token);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(Cancel));
    }

    private async Task<IReadOnlyList<AuditEvent>> AuditAsync(Unit unit, AuditAction action, string? target = null)
    {
        var query = $"/api/audit?action={action.Name}" + (target is null ? "" : $"&target={Uri.EscapeDataString(target)}");
        using var response = await fixture.SendAsync(HttpMethod.Get, query, unit.Head);
        return (await response.Content.ReadFromJsonAsync<AuditPage>(AvCloudJson.Options, Cancel))!.Items;
    }

    private async Task<SigningKey> PublishedKeyAsync(Unit unit)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/signing-keys", unit.Head);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single((await response.Content.ReadFromJsonAsync<SigningKeys>(AvCloudJson.Options, Cancel))!.Keys);
    }

    private static VerificationReport Verify(byte[] package, string? requiredKey = null)
    {
        using var stream = new MemoryStream(package, writable: false);
        return PackageVerifier.Verify(stream, requiredKey);
    }

    private static T Read<T>(ZipArchive zip, string name)
    {
        using var entry = zip.GetEntry(name)!.Open();
        return JsonSerializer.Deserialize<T>(entry, PackageFormat.Json)!;
    }

    /// <summary>The package's entries rewritten (changed, left out or added) into a new zip, as someone altering it would.</summary>
    private static byte[] Rewrite(byte[] package, Func<string, byte[], byte[]?> change, params (string Name, byte[] Content)[] added)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var content = new MemoryStream();
                using (var read = entry.Open())
                {
                    read.CopyTo(content);
                }

                if (change(entry.FullName, content.ToArray()) is { } kept)
                {
                    using var write = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                    write.Write(kept);
                }
            }

            foreach (var (name, content) in added)
            {
                using var write = target.CreateEntry(name).Open();
                write.Write(content);
            }
        }

        return output.ToArray();
    }

    [Fact]
    public async Task An_approved_copy_yields_one_signed_package_whose_files_manifest_and_custody_match_the_catalogue()
    {
        var unit = await UnitAsync(1701);
        var requestId = await CopyRequestAsync(unit);

        var (status, package) = await PackageAsync(requestId, unit.Reviewer);

        Assert.Equal(HttpStatusCode.OK, status);
        using var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        var manifest = Read<PackageManifest>(zip, PackageFormat.Manifest);
        Assert.Equal([PackageFormat.Manifest, PackageFormat.Signature, PackageFormat.Custody, PackageFormat.CustodyReport, .. manifest.Files.Select(f => f.Path)],
            zip.Entries.Select(e => e.FullName));
        Assert.Equal((unit.Id, $"access-requests/{requestId}", "行政诉讼举证", "XZSS-2026-031"), (manifest.UnitId, manifest.Reference, manifest.Purpose, manifest.CaseNumber));
        foreach (var (file, record) in manifest.Files.Zip(unit.Footage))
        {
            Assert.Equal((record.Id, record.Sha256, record.Size, "audio", record.DeviceId, record.OfficerId, "none"),
                (file.Id, file.Sha256, file.Size, file.Kind, file.DeviceId, file.OfficerId, file.Classification));
            Assert.Equal(record.Uploads[0].FileName, file.OriginalName);
            Assert.Equal((record.RecordedStart, record.CorrectedEnd), (file.RecordedStart, file.CorrectedEnd));
            Assert.Empty(file.Cases);
            using var content = zip.GetEntry(file.Path)!.Open();
            Assert.Equal(record.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(content, Cancel)));
        }

        // Signed by the key AvCloud publishes, and valid as a whole.
        var key = await PublishedKeyAsync(unit);
        var signature = Read<ManifestSignature>(zip, PackageFormat.Signature);
        Assert.Equal((key.KeyId, key.Fingerprint), (signature.KeyId, signature.Fingerprint));
        var report = Verify(package, key.Fingerprint);
        Assert.True(report.Valid, string.Join("\n", report.Problems));
        Assert.Equal((2, key.Fingerprint), (report.Files, report.Fingerprint));

        // custody.json: every audit event about each recording, this package's among them, with the chain's hashes.
        var custody = JsonNode.Parse(zip.GetEntry(PackageFormat.Custody)!.Open())!;
        Assert.True((bool)custody["auditChain"]!["intact"]!);
        foreach (var (recording, record) in custody["recordings"]!.AsArray().Zip(unit.Footage))
        {
            var events = recording!["events"]!.AsArray();
            Assert.Contains(events, e => (string?)e!["action"] == AuditAction.FootageCatalogued.Name && ((string?)e["hash"])!.Length == 64);
            Assert.Contains(events, e => (string?)e!["action"] == AuditAction.FootagePackaged.Name && (string?)e["details"]!["request"] == requestId);
            Assert.Equal(record.Id, (string?)recording["record"]!["id"]);
        }

        // The package's own SHA-256, size and file count are audited against the request.
        var sent = Assert.Single(await AuditAsync(unit, AuditAction.PackageSent, $"access-requests/{requestId}"));
        Assert.Equal((AuditOutcomes.Success, Convert.ToHexStringLower(SHA256.HashData(package)), package.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "2", manifest.PackageId),
            (sent.Outcome, sent.Details["sha256"], sent.Details["size"], sent.Details["files"], sent.Details["package"]));
        Assert.Equal(2, (await AuditAsync(unit, AuditAction.FootagePackaged)).Count);
    }

    [Fact]
    public async Task A_packaged_recording_names_the_cases_that_group_its_activity()
    {
        var unit = await UnitAsync(1721, count: 1);
        var record = unit.Footage[0];
        using var created = await fixture.SendAsync(HttpMethod.Post, "/api/activities", unit.Keeper, JsonContent.Create(new
        {
            kind = "investigation", officers = new[] { record.OfficerId }, place = "No. 3 market", start = Recorded.AddMinutes(-10), end = Recorded.AddMinutes(30),
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var activityId = (await created.Content.ReadFromJsonAsync<Functions.Activities.Activity>(AvCloudJson.Options, Cancel))!.Id;
        using var linked = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{record.Id}/activity", unit.Keeper,
            JsonContent.Create(new { activityId, reason = "the investigation's notes name this clip" }));
        Assert.True(linked.IsSuccessStatusCode, await linked.Content.ReadAsStringAsync(Cancel));
        using var opened = await fixture.SendAsync(HttpMethod.Post, "/api/cases", unit.Keeper, JsonContent.Create(new { number = "WG-2026-88", name = "市场摊位纠纷" }));
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var caseId = (await opened.Content.ReadFromJsonAsync<Functions.Cases.EnforcementCase>(AvCloudJson.Options, Cancel))!.Id;
        using var added = await fixture.SendAsync(HttpMethod.Post, $"/api/cases/{caseId}/activities", unit.Keeper, JsonContent.Create(new { activityId }));
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);

        var (status, package) = await PackageAsync(await CopyRequestAsync(unit), unit.Reviewer);

        Assert.Equal(HttpStatusCode.OK, status);
        using var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        var file = Assert.Single(Read<PackageManifest>(zip, PackageFormat.Manifest).Files);
        Assert.Equal((activityId, new PackagedCase("市场摊位纠纷", "WG-2026-88")), (file.ActivityId, Assert.Single(file.Cases)));
        Assert.True(Verify(package).Valid);
    }

    [Fact]
    public async Task The_verifier_names_a_changed_byte_a_changed_manifest_field_a_missing_file_and_an_added_one()
    {
        var unit = await UnitAsync(1711);
        var (_, package) = await PackageAsync(await CopyRequestAsync(unit), unit.Reviewer);
        using var zip = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        var manifest = Read<PackageManifest>(zip, PackageFormat.Manifest);
        var first = manifest.Files[0];

        // One byte of a recording, changed in place (the entry is stored as it is, so its bytes are in the zip).
        var content = new byte[first.Size];
        using (var entry = zip.GetEntry(first.Path)!.Open())
        {
            entry.ReadExactly(content);
        }

        var tampered = (byte[])package.Clone();
        var at = tampered.AsSpan().IndexOf(content) + 5000;
        tampered[at] ^= 0x01;
        var byte1 = Verify(tampered);
        Assert.False(byte1.Valid);
        Assert.Contains(byte1.Problems, p => p.StartsWith($"{first.Path}: sha256 is ", StringComparison.Ordinal) && p.EndsWith($"the manifest says {first.Sha256}.", StringComparison.Ordinal));
        Assert.DoesNotContain(byte1.Problems, p => p.StartsWith(manifest.Files[1].Path, StringComparison.Ordinal));

        // A field of the manifest (the first recording's officer), with the signature left as it was.
        var edited = Rewrite(package, (name, bytes) =>
        {
            if (name != PackageFormat.Manifest)
            {
                return bytes;
            }

            var node = JsonNode.Parse(bytes)!;
            node["files"]![0]!["officerId"] = "officer-someone-else";
            return Encoding.UTF8.GetBytes(node.ToJsonString());
        });
        Assert.Equal([$"{PackageFormat.Manifest}: the signature does not match: the manifest was changed after it was signed, or another key signed it."], Verify(edited).Problems);

        // A recording left out, and a file slipped in.
        var missing = Rewrite(package, (name, bytes) => name == first.Path ? null : bytes, ("files/extra.wav", [1, 2, 3]));
        Assert.Equal([$"{first.Path}: listed in the manifest but missing from the package.", "files/extra.wav: in the package but not in the manifest."],
            Verify(missing).Problems);

        // The custody report swapped for another document.
        var swapped = Rewrite(package, (name, bytes) => name == PackageFormat.CustodyReport ? [.. bytes, 0x20] : bytes);
        Assert.Contains(Verify(swapped).Problems, p => p.StartsWith($"{PackageFormat.CustodyReport}: sha256 is ", StringComparison.Ordinal));
        Assert.Contains(Verify(swapped).Problems, p => p.StartsWith($"{PackageFormat.CustodyReport}: size is ", StringComparison.Ordinal));

        // Cut short, as a download that broke off.
        Assert.Equal(["The file is not a zip archive (or its end was cut off)."], Verify(package[..^100]).Problems);
    }

    [Fact]
    public async Task A_package_re_signed_with_another_key_fails_when_the_agencys_published_key_is_required()
    {
        var unit = await UnitAsync(1721, 1);
        var (_, package) = await PackageAsync(await CopyRequestAsync(unit), unit.Reviewer);
        var published = await PublishedKeyAsync(unit);

        // Someone changes the manifest and signs it again with a key of their own: the package is consistent in itself...
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forgerPem = forger.ExportSubjectPublicKeyInfoPem();
        byte[]? forgedManifest = null;
        var forged = Rewrite(package, (name, bytes) =>
        {
            if (name == PackageFormat.Manifest)
            {
                forgedManifest = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("行政诉讼举证", "其他用途", StringComparison.Ordinal));
                return forgedManifest;
            }

            return name == PackageFormat.Signature
                ? JsonSerializer.SerializeToUtf8Bytes(new ManifestSignature(PackageFormat.Algorithm, "local/forger", forgerPem, PackageFormat.Fingerprint(forger),
                    Convert.ToBase64String(forger.SignData(forgedManifest!, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))), PackageFormat.Json)
                : bytes;
        });
        var alone = Verify(forged);
        Assert.True(alone.Valid);
        Assert.Equal(PackageFormat.Fingerprint(forger), alone.Fingerprint);
        Assert.NotEqual(published.Fingerprint, alone.Fingerprint);

        // ...and is refused once the agency's key is required, by its PEM or its fingerprint, through avdock verify-package.
        var folder = Directory.CreateTempSubdirectory("avcloud-package-");
        try
        {
            var forgedFile = Path.Combine(folder.FullName, "forged.zip");
            var genuineFile = Path.Combine(folder.FullName, "genuine.zip");
            var keyFile = Path.Combine(folder.FullName, "agency.pem");
            await File.WriteAllBytesAsync(forgedFile, forged, Cancel);
            await File.WriteAllBytesAsync(genuineFile, package, Cancel);
            await File.WriteAllTextAsync(keyFile, published.PublicKey, Cancel);

            var (code, output) = await AvdockAsync("verify-package", forgedFile, "--key", keyFile);
            Assert.Equal(1, code);
            Assert.Contains($"signed by key {PackageFormat.Fingerprint(forger)}, not by the required key {published.Fingerprint}.", output, StringComparison.Ordinal);
            Assert.Equal(1, (await AvdockAsync("verify-package", forgedFile, "--key", published.Fingerprint.ToUpperInvariant())).Code);

            var (genuineCode, genuineOutput) = await AvdockAsync("verify-package", genuineFile, "--key", keyFile);
            Assert.Equal(0, genuineCode);
            Assert.Contains($"Fingerprint: {published.Fingerprint}", genuineOutput, StringComparison.Ordinal);
            Assert.Contains("VALID", genuineOutput, StringComparison.Ordinal);
            Assert.Equal(2, (await AvdockAsync("verify-package", genuineFile, "--key", "not-a-key")).Code);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(int Code, string Output)> AvdockAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var code = await AvCloud.DockSync.Cli.RunAsync(args, output, errors);
        return (code, output.ToString() + errors);
    }

    [Fact]
    public async Task State_secret_footage_is_never_packaged_and_the_refusal_is_audited()
    {
        var unit = await UnitAsync(1731);
        var requestId = await CopyRequestAsync(unit);
        using (var classify = await fixture.SendAsync(HttpMethod.Put, $"/api/footage/{unit.Footage[1].Id}/classification", unit.Head,
            JsonContent.Create(new { level = "stateSecret", reason = "national security matter" })))
        {
            Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
        }

        var (status, body) = await PackageAsync(requestId, unit.Reviewer);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(422, (int)JsonNode.Parse(body)!["status"]!);
        var refused = Assert.Single(await AuditAsync(unit, AuditAction.PackageSent));
        Assert.Equal((AuditOutcomes.Denied, "copy of state-secret footage"), (refused.Outcome, refused.Details["reason"]));
        Assert.Empty(await AuditAsync(unit, AuditAction.FootagePackaged));
    }

    [Fact]
    public async Task Only_the_requester_of_an_approved_unexpired_unrevoked_copy_gets_a_package()
    {
        var unit = await UnitAsync(1741, 1);
        var pending = await CopyRequestAsync(unit, approve: false);
        var approved = await CopyRequestAsync(unit);
        var shortLived = await CopyRequestAsync(unit, duration: "PT1S");
        var revoked = await CopyRequestAsync(unit);
        using (var revoke = await fixture.SendAsync(HttpMethod.Post, $"/api/access-requests/{revoked}/revoke", unit.Head, JsonContent.Create(new { reason = "case withdrawn" })))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Conflict, (await PackageAsync(pending, unit.Reviewer)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PackageAsync(revoked, unit.Reviewer)).Status);
        // Another reviewer, and the head who approved it, are not the requester; another unit does not see the request at all.
        Assert.Equal(HttpStatusCode.Forbidden, (await PackageAsync(approved, fixture.TokenFor(unit.Id, Roles.Reviewer, Roles.Keeper))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PackageAsync(approved, unit.Head)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PackageAsync(approved, fixture.TokenFor("pkg-elsewhere", Roles.Reviewer))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PackageAsync(approved, unit.Reviewer, "?lang=fr")).Status);
        await Eventually.That(async () =>
        {
            using var read = await fixture.SendAsync(HttpMethod.Get, $"/api/access-requests/{shortLived}", unit.Reviewer);
            return (await read.Content.ReadFromJsonAsync<AccessRequest>(AvCloudJson.Options, Cancel))!.Status == AccessStatus.Expired;
        }, "the one-second window to end", TimeSpan.FromSeconds(10), Cancel);
        Assert.Equal(HttpStatusCode.Conflict, (await PackageAsync(shortLived, unit.Reviewer)).Status);

        Assert.Empty(await AuditAsync(unit, AuditAction.FootagePackaged));
        Assert.Equal(HttpStatusCode.OK, (await PackageAsync(approved, unit.Reviewer)).Status);
        Assert.Single(await AuditAsync(unit, AuditAction.FootagePackaged));
        var denials = (await AuditAsync(unit, AuditAction.PackageSent)).Where(e => e.Outcome == AuditOutcomes.Denied).Select(e => e.Details["reason"]).ToList();
        Assert.Contains("request is pending", denials);
        Assert.Contains("request is revoked", denials);
        Assert.Contains("not the requester", denials);
        Assert.Contains("request is expired", denials);
    }
}
