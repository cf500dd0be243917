using AvCloud.Local.Functions;

namespace AvCloud.Tests.Hosting;

public sealed class HostKeysTests
{
    [Fact]
    public void Keys_are_made_once_per_data_folder_owner_only_and_read_back_the_same()
    {
        var folder = Directory.CreateTempSubdirectory("avcloud-keys-");
        try
        {
            var file = Path.Combine(folder.FullName, "host-keys.json");

            var made = HostKeys.LoadOrCreate(file);
            var again = HostKeys.LoadOrCreate(file);

            Assert.Equal(made.Master, again.Master);
            Assert.Equal(made.BlobsExtensionKey, again.BlobsExtensionKey);
            Assert.NotEqual(made.Master, made.BlobsExtensionKey);
            Assert.True(made.Master.Length >= 40);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Without_a_data_folder_each_host_has_keys_of_its_own_in_memory()
    {
        var one = HostKeys.LoadOrCreate(null);
        var other = HostKeys.LoadOrCreate(null);

        Assert.Null(one.File);
        Assert.NotEqual(one.Master, other.Master);
        Assert.NotEqual(one.BlobsExtensionKey, other.BlobsExtensionKey);
    }
}
