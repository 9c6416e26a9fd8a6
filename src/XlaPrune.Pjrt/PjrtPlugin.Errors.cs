using System.Runtime.CompilerServices;
using XlaPrune.Bindings;

namespace XlaPrune.Pjrt;

// The error funnel: missing slots, PJRT_Error to PjrtException (named for UNIMPLEMENTED), event waits.
public sealed unsafe partial class PjrtPlugin
{
    /// <summary>
    /// Throws unless <paramref name="slot"/> (the address of a <c>PJRT_Api</c> field) lies inside this plugin's
    /// table and is filled in.
    /// </summary>
    internal void Require(void* slot, [CallerArgumentExpression(nameof(slot))] string expression = "")
    {
        if (!Has(slot))
        {
            throw new PjrtException(PjrtErrorCode.Unimplemented,
                $"{SlotName(expression)} is not available in this plugin (version {MajorVersion}.{MinorVersion})");
        }
    }

    // Whether the table reaches the slot and fills it.
    private bool Has(void* slot) => (nuint)((byte*)slot - (byte*)_api) + (nuint)sizeof(nint) <= _api->struct_size && *(void**)slot != null;

    private static string SlotName(string expression)
    {
        var arrow = expression.LastIndexOf("->", StringComparison.Ordinal);
        return arrow >= 0 ? expression[(arrow + 2)..].Trim(')', ' ') : expression;
    }

    /// <summary>The error funnel: null is success; anything else is copied, destroyed and thrown.</summary>
    internal void Check(PJRT_Error* error, [CallerArgumentExpression(nameof(error))] string call = "")
    {
        if (error != null)
        {
            throw Named(TakeError(error), call);
        }
    }

    /// <summary>
    /// One PJRT call, the calling convention in one place: fills in <c>struct_size</c>, checks that
    /// <paramref name="slot"/> (the address of a <c>PJRT_Api</c> field) is present (<see cref="Require"/>), calls it and
    /// funnels an error (<see cref="Check(PJRT_Error*, string)"/>). Returns the args as the plugin filled them in. Calls
    /// that create an object use <see cref="Create{TArgs}"/> instead, so that a half-made output is destroyed.
    /// </summary>
    internal TArgs Call<TArgs>(delegate* unmanaged[Cdecl]<TArgs*, PJRT_Error*>* slot, TArgs args, [CallerArgumentExpression(nameof(slot))] string expression = "")
        where TArgs : unmanaged, IStructSize
    {
        *(nuint*)&args = TArgs.StructSize; // IStructSize: struct_size is the first field
        Require(slot, expression);
        Check((*slot)(&args), expression);
        return args;
    }

    /// <summary>
    /// <see cref="Call{TArgs}"/> for a call that creates an object: on error, the object the plugin made anyway (read from
    /// the args by <paramref name="output"/>) is destroyed before the error is thrown.
    /// </summary>
    internal TArgs Create<TArgs>(
        delegate* unmanaged[Cdecl]<TArgs*, PJRT_Error*>* slot,
        TArgs args,
        PjrtObjectKind outputKind,
        Func<TArgs, nint> output,
        [CallerArgumentExpression(nameof(slot))] string expression = "")
        where TArgs : unmanaged, IStructSize
    {
        *(nuint*)&args = TArgs.StructSize; // IStructSize: struct_size is the first field
        Require(slot, expression);
        var error = (*slot)(&args);
        Check(error, outputKind, (void*)output(args), expression);
        return args;
    }

    /// <summary>
    /// An UNIMPLEMENTED error whose message does not name the call gets the call's name in front (a plugin may say only
    /// "not implemented"); other errors pass unchanged.
    /// </summary>
    private static PjrtException Named(PjrtException error, string call)
    {
        var name = CallName(call);
        return error.Code != PjrtErrorCode.Unimplemented || name.Length == 0 || error.Message.Contains(name, StringComparison.Ordinal)
            ? error
            : new PjrtException(error.Code, $"{name}: {error.Message}");
    }

    // "Api->PJRT_Compile(&args)" or "&Api->PJRT_Compile" -> "PJRT_Compile".
    private static string CallName(string expression)
    {
        var arrow = expression.LastIndexOf("->", StringComparison.Ordinal);
        var name = arrow >= 0 ? expression[(arrow + 2)..] : "";
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        return (paren >= 0 ? name[..paren] : name).Trim();
    }

    /// <summary>
    /// The error funnel for calls that create an object: on error, an output the plugin filled in anyway is
    /// destroyed before the error is thrown.
    /// </summary>
    internal void Check(PJRT_Error* error, PjrtObjectKind outputKind, void* output, [CallerArgumentExpression(nameof(error))] string call = "")
    {
        if (error != null)
        {
            if (output != null)
            {
                Destroy(outputKind, output);
            }

            throw Named(TakeError(error), call);
        }
    }

    /// <summary>
    /// Blocks on an event the caller owns, then destroys it; returns the event's error as an exception to throw, or null
    /// on success. The fast path of a synchronous wait: no managed wrapper is made for the event.
    /// </summary>
    /// <remarks>
    /// No exception-handling region surrounds the native calls: the x64 JIT may decline to inline a native call's
    /// transition inside try regions and handlers, and a call it does not inline goes through a slower stub.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the native calls out of the callers' try regions
    internal PjrtException? AwaitAndDestroy(PJRT_Event* @event)
    {
        if (!Has(&_api->PJRT_Event_Await))
        {
            Destroy(PjrtObjectKind.Event, @event);
            Require(&_api->PJRT_Event_Await); // throws
        }

        PJRT_Event_Await_Args args = default;
        args.struct_size = PJRT_Event_Await_Args.STRUCT_SIZE;
        args.@event = @event;
        var error = _api->PJRT_Event_Await(&args);
        Destroy(PjrtObjectKind.Event, @event);
        return error == null ? null : TakeError(error);
    }

    /// <summary>Copies code and message out of <paramref name="error"/>, destroys it, and returns the exception.</summary>
    internal PjrtException TakeError(PJRT_Error* error)
    {
        var code = PjrtErrorCode.Unknown;
        string message;
        try
        {
            PJRT_Error_GetCode_Args codeArgs = default;
            codeArgs.struct_size = PJRT_Error_GetCode_Args.STRUCT_SIZE;
            codeArgs.error = error;
            var codeError = _api->PJRT_Error_GetCode(&codeArgs);
            if (codeError == null)
            {
                code = (PjrtErrorCode)codeArgs.code;
            }
            else
            {
                DestroyError(codeError);
            }

            PJRT_Error_Message_Args messageArgs = default;
            messageArgs.struct_size = PJRT_Error_Message_Args.STRUCT_SIZE;
            messageArgs.error = error;
            _api->PJRT_Error_Message(&messageArgs);
            message = NativeText.Read(messageArgs.message, messageArgs.message_size);
        }
        finally
        {
            DestroyError(error);
        }

        return new PjrtException(code, message);
    }

    private void DestroyError(PJRT_Error* error)
    {
        PJRT_Error_Destroy_Args args = default;
        args.struct_size = PJRT_Error_Destroy_Args.STRUCT_SIZE;
        args.error = error;
        _api->PJRT_Error_Destroy(&args);
    }
}
