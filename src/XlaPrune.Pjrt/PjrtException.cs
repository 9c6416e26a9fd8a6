namespace XlaPrune.Pjrt;

/// <summary>Status codes of PJRT errors; the same numbers as <c>PJRT_Error_Code</c> (and absl::StatusCode).</summary>
public enum PjrtErrorCode
{
    /// <summary>Not an error.</summary>
    Ok = 0,
    /// <summary>The operation was cancelled.</summary>
    Cancelled = 1,
    /// <summary>Unknown error.</summary>
    Unknown = 2,
    /// <summary>The caller passed a bad argument.</summary>
    InvalidArgument = 3,
    /// <summary>A deadline passed before the operation completed.</summary>
    DeadlineExceeded = 4,
    /// <summary>Something requested was not found.</summary>
    NotFound = 5,
    /// <summary>Something to be created already exists.</summary>
    AlreadyExists = 6,
    /// <summary>The caller may not do this.</summary>
    PermissionDenied = 7,
    /// <summary>Memory or another resource ran out.</summary>
    ResourceExhausted = 8,
    /// <summary>The system is not in a state that allows the operation.</summary>
    FailedPrecondition = 9,
    /// <summary>The operation was aborted.</summary>
    Aborted = 10,
    /// <summary>An index or size is out of range.</summary>
    OutOfRange = 11,
    /// <summary>The plugin does not implement the operation.</summary>
    Unimplemented = 12,
    /// <summary>An internal invariant broke.</summary>
    Internal = 13,
    /// <summary>The service is unavailable.</summary>
    Unavailable = 14,
    /// <summary>Data was lost or corrupted.</summary>
    DataLoss = 15,
    /// <summary>The caller is not authenticated.</summary>
    Unauthenticated = 16,
}

/// <summary>
/// A failure reported by a PJRT plugin (its <c>PJRT_Error</c>, already copied and destroyed), or a call
/// the loaded plugin cannot serve. Argument mistakes found before any native call throw
/// <see cref="ArgumentException"/> instead.
/// </summary>
public sealed class PjrtException : Exception
{
    /// <summary>Creates an exception with a code and message.</summary>
    public PjrtException(PjrtErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Creates an exception with <see cref="PjrtErrorCode.Unknown"/>.</summary>
    public PjrtException()
        : this(PjrtErrorCode.Unknown, "PJRT error")
    {
    }

    /// <summary>Creates an exception with <see cref="PjrtErrorCode.Unknown"/>.</summary>
    public PjrtException(string message)
        : this(PjrtErrorCode.Unknown, message)
    {
    }

    /// <summary>Creates an exception with <see cref="PjrtErrorCode.Unknown"/> wrapping another.</summary>
    public PjrtException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = PjrtErrorCode.Unknown;
    }

    /// <summary>The PJRT status code.</summary>
    public PjrtErrorCode Code { get; }
}
