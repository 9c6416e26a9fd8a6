using System.Runtime.InteropServices;

namespace XlaPrune.Models;

/// <summary>What a path names, without following a symbolic link in its last component.</summary>
public enum FileKind
{
    /// <summary>Nothing exists at the path.</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (to anything, or dangling).</summary>
    SymbolicLink,

    /// <summary>A character device such as /dev/null.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A named pipe.</summary>
    Fifo,

    /// <summary>A Unix domain socket.</summary>
    Socket,
}

/// <summary>
/// Classifies paths with lstat(2), so a writer can refuse to replace anything but a regular file:
/// renaming over a device node or a symbolic link replaces the node or the link itself.
/// </summary>
public static class FileKinds
{
    /// <summary>The kind of <paramref name="path"/>; the last component is not followed if it is a link.</summary>
    public static FileKind Of(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return FileKind.SymbolicLink;
        }

        if (System.IO.Directory.Exists(path))
        {
            return FileKind.Directory;
        }

        if (!info.Exists)
        {
            return FileKind.Missing;
        }

        return OperatingSystem.IsLinux() && NativeStat.Mode(path) is { } mode ? FromMode(mode) : FileKind.Regular;
    }

    /// <summary>Words for a kind, as in "it is a character device".</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.Socket => "a socket",
        _ => "missing",
    };

    // The S_IFMT bits of st_mode, the same on every Linux architecture.
    private static FileKind FromMode(uint mode) => (mode & 0xF000) switch
    {
        0x1000 => FileKind.Fifo,
        0x2000 => FileKind.CharacterDevice,
        0x4000 => FileKind.Directory,
        0x6000 => FileKind.BlockDevice,
        0xA000 => FileKind.SymbolicLink,
        0xC000 => FileKind.Socket,
        _ => FileKind.Regular,
    };

    private static class NativeStat
    {
        // struct stat is at most 144 bytes on the 64-bit Linux ABIs; st_mode sits at byte 24 on
        // x86-64 (after st_dev, st_ino, st_nlink) and at byte 16 on arm64 (before a 32-bit st_nlink).
        private const int BufferSize = 256;

        public static uint? Mode(string path)
        {
            var offset = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => 24,
                Architecture.Arm64 => 16,
                _ => -1,
            };
            if (offset < 0)
            {
                return null;
            }

            var buffer = new byte[BufferSize];
            return LStat(path, buffer) == 0 ? BitConverter.ToUInt32(buffer, offset) : null;
        }

        // glibc exports lstat since 2.33 (Debian 12 ships 2.36). The buffer is blittable and pinned.
        [DllImport("libc.so.6", EntryPoint = "lstat", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
    }
}
