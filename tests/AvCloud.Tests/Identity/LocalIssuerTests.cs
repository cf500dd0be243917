using AvCloud.Local.Identity;

namespace AvCloud.Tests.Identity;

public sealed class LocalIssuerTests
{
    [Fact]
    public void The_key_file_is_created_readable_by_its_owner_only_and_is_used_again()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var directory = Directory.CreateTempSubdirectory("avcloud-issuer-");
        try
        {
            var keyFile = Path.Combine(directory.FullName, "data", "issuer-key.pem");
            string first;
            using (var issuer = LocalIssuer.LoadOrCreate(keyFile))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
                first = Kid(issuer);
            }

            using var again = LocalIssuer.LoadOrCreate(keyFile);
            Assert.Equal(first, Kid(again));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Kid(LocalIssuer issuer) =>
        System.Text.Json.JsonSerializer.SerializeToElement(issuer.Jwks()).GetProperty("keys")[0].GetProperty("kid").GetString()!;
}
