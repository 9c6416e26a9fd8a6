using Xunit;

namespace XlaPrune.Models.Tests;

public class AtomicFilesTests
{
    [Fact]
    public void WriteRemovesTempFilesOfDeadWritersAndKeepsThoseOfLiveOnes()
    {
        var dir = Directory.CreateTempSubdirectory("xlaprune-atomic-").FullName;
        try
        {
            var dead = Path.Combine(dir, ".cell.json.99999999.tmp"); // above Linux's pid_max: never a live process
            var live = Path.Combine(dir, ".cell.json.1.tmp");        // process 1 always exists
            var other = Path.Combine(dir, ".other.json.99999999.tmp");
            foreach (var f in new[] { dead, live, other })
            {
                File.WriteAllText(f, "half");
            }

            AtomicFiles.WriteText(Path.Combine(dir, "cell.json"), "{}");

            Assert.Equal("{}", File.ReadAllText(Path.Combine(dir, "cell.json")));
            Assert.False(File.Exists(dead));
            Assert.True(File.Exists(live));
            Assert.True(File.Exists(other)); // another file's leftovers are its own writer's business
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
