using System.Runtime.InteropServices;

namespace XlaPrune.Pjrt.Tests;

/// <summary>PjrtPlugin.Load against paths that are not usable plugins, and the fake 0.40 plugin.</summary>
public sealed class PluginLoaderTests
{
    [Fact]
    public void Missing_path_names_the_path_and_says_it_does_not_exist()
    {
        var error = Assert.Throws<PjrtException>(() => PjrtPlugin.Load("/nonexistent/libnothing.so"));
        Assert.Equal(PjrtErrorCode.NotFound, error.Code);
        Assert.Equal("Could not load PJRT plugin '/nonexistent/libnothing.so'. Tried:\n  /nonexistent/libnothing.so: file does not exist", error.Message);
    }

    [Fact]
    public void Library_without_GetPjrtApi_is_refused_as_not_a_plugin()
    {
        var path = TestPaths.Fake("not_a_plugin");
        var error = Assert.Throws<PjrtException>(() => PjrtPlugin.Load(path));
        Assert.Equal(PjrtErrorCode.NotFound, error.Code);
        Assert.Equal($"Could not load PJRT plugin '{path}'. Tried:\n  {path}: no GetPjrtApi export, so it is not a PJRT plugin", error.Message);
    }

    [Fact]
    public void Plugin_with_another_major_version_is_refused_with_both_versions()
    {
        var path = TestPaths.Fake("other_major");
        var error = Assert.Throws<PjrtException>(() => PjrtPlugin.Load(path));
        Assert.Equal(
            $"Could not load PJRT plugin '{path}'. Tried:\n  {path}: PJRT API version 1.3 is incompatible with version 0.114 used here (major versions differ)",
            error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_shared_library_is_refused_by_the_loader()
    {
        var path = Path.Combine(Path.GetTempPath(), $"xlaprune-not-elf-{Environment.ProcessId}.so");
        File.WriteAllText(path, new string('x', 200)); // long enough for the loader to read an ELF header

        try
        {
            var error = Assert.Throws<PjrtException>(() => PjrtPlugin.Load(path));
            Assert.Equal($"Could not load PJRT plugin '{path}'. Tried:\n  {path}: the system loader refused it (invalid ELF header)", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Unknown_plugin_name_is_an_argument_error_listing_the_known_names()
    {
        var error = Assert.Throws<ArgumentException>(() => PjrtPlugin.Load("warp-drive"));
        Assert.StartsWith("Unknown PJRT plugin name 'warp-drive': use a path to a plugin library, one of cpu, tpu, cuda, or a name listed in PJRT_NAMES_AND_LIBRARY_PATHS.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Name_lookup_failure_lists_every_path_tried_in_order()
    {
        using var tpu = new EnvironmentScope("TPU_LIBRARY_PATH", "/nonexistent/tpu/libtpu.so");
        var error = Assert.Throws<PjrtException>(() => PjrtPlugin.Load("tpu"));
        var lines = error.Message.Split('\n');
        Assert.Equal("Could not load PJRT plugin 'tpu'. Tried:", lines[0]);
        Assert.Equal("  /nonexistent/tpu/libtpu.so: file does not exist", lines[1]);
        Assert.Equal("  libtpu.so: not found by the system loader", lines[^1]);
    }

    [Fact]
    public void Older_plugin_loads_and_reports_its_version_table_size_and_attributes()
    {
        var plugin = PjrtPlugin.Load(TestPaths.Fake("old_minor"));
        Assert.Equal(0, plugin.MajorVersion);
        Assert.Equal(40, plugin.MinorVersion);
        Assert.Equal(40 + (8 * 97), plugin.ApiStructSize);
        Assert.Equal(40L, plugin.Attributes["fake_version"]);
        Assert.Equal(new long[] { 1, 2, 3 }, (long[])plugin.Attributes["fake_list"]);
    }

    [Fact]
    public void Older_plugin_refuses_calls_past_its_table_and_serves_the_rest()
    {
        var plugin = PjrtPlugin.Load(TestPaths.Fake("old_minor"));
        var error = Assert.Throws<PjrtException>(() => plugin.CreateEvent());
        Assert.Equal(PjrtErrorCode.Unimplemented, error.Code);
        Assert.Equal("PJRT_Event_Create is not available in this plugin (version 0.40)", error.Message);

        using var client = plugin.CreateClient();
        Assert.Equal("fake", client.PlatformName);
        Assert.Equal("fake 0.40", client.PlatformVersion);
        Assert.Equal(0, client.ProcessIndex);
        Assert.Empty(client.Devices);
        Assert.Empty(client.AddressableMemories);
    }

    [Fact]
    public void Plugin_errors_become_PjrtException_and_are_destroyed()
    {
        var plugin = PjrtPlugin.Load(TestPaths.Fake("old_minor"));
        using (var client = plugin.CreateClient())
        {
            var error = Assert.Throws<PjrtException>(() => client.LookupDevice(0));
            Assert.Equal(PjrtErrorCode.Unimplemented, error.Code);
            Assert.Equal("PJRT_Client_LookupDevice: this fake plugin implements only clients", error.Message);
        }

        Assert.Equal(0, FakeCounter("xlaprune_fake_live_errors"));
        Assert.Equal(0, FakeCounter("xlaprune_fake_live_clients"));
    }

    [Fact]
    public void A_plugin_is_loaded_and_initialized_once_per_library()
    {
        var path = TestPaths.Fake("old_minor");
        var first = PjrtPlugin.Load(path);
        var second = PjrtPlugin.Load(Path.Combine(Path.GetDirectoryName(path)!, ".", Path.GetFileName(path)));
        Assert.Same(first, second);
        Assert.Equal(1, FakeCounter("xlaprune_fake_initialize_calls"));
    }

    [Fact]
    public void XLAPRUNE_PJRT_PLUGIN_chooses_the_plugin_when_none_is_named()
    {
        var path = TestPaths.Fake("old_minor");
        using var variable = new EnvironmentScope("XLAPRUNE_PJRT_PLUGIN", path);
        Assert.Same(PjrtPlugin.Load(path), PjrtPlugin.Load());
    }

    [Fact]
    public void JAX_plugin_list_maps_names_to_paths_and_json_descriptions()
    {
        var path = TestPaths.Fake("old_minor");
        var json = Path.Combine(Path.GetTempPath(), $"xlaprune-fake-{Environment.ProcessId}.json");
        File.WriteAllText(json, $$$"""{"library_path": "{{{path}}}", "create_options": {"cpu_device_count": 2, "name": "x"}}""");
        try
        {
            using (new EnvironmentScope("PJRT_NAMES_AND_LIBRARY_PATHS", $"other:/nonexistent/x.so,fake:{path}"))
            {
                Assert.Same(PjrtPlugin.Load(path), PjrtPlugin.Load("fake"));
            }

            using (new EnvironmentScope("PJRT_NAMES_AND_LIBRARY_PATHS", $"fakejson:{json}"))
            {
                var plugin = PjrtPlugin.Load("fakejson");
                Assert.Equal(PjrtPlugin.Load(path).Path, plugin.Path);
            }
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void Describe_summarises_versions_platform_devices_and_memories()
    {
        var description = PjrtPlugin.Load(TestPaths.Fake("old_minor")).Describe();
        Assert.Equal(40, description.MinorVersion);
        Assert.Equal(816, description.ApiStructSize);
        Assert.Equal("fake", description.PlatformName);
        Assert.Equal("fake 0.40", description.PlatformVersion);
        Assert.Empty(description.Devices);
        Assert.Empty(description.Memories);
        Assert.Equal(0, PjrtDiagnostics.LiveObjects);
    }

    private static unsafe int FakeCounter(string export)
    {
        var library = NativeLibrary.Load(TestPaths.Fake("old_minor"));
        return ((delegate* unmanaged[Cdecl]<int>)NativeLibrary.GetExport(library, export))();
    }
}
