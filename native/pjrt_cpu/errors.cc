// PJRT_Error objects (0.114 layout: a function table pointer first), the exception barrier's
// conversion of exceptions into errors, and the three error slots.
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "api_internal.h"

namespace xlaprune::pjrt {
namespace {

const ErrorImpl* AsImpl(const PJRT_Error* error) noexcept { return static_cast<const ErrorImpl*>(error); }

void DestroyError(PJRT_Error* error) { delete static_cast<ErrorImpl*>(error); }
void ErrorMessage(const PJRT_Error* error, const char** message, size_t* message_size) {
  *message = AsImpl(error)->message.c_str();
  *message_size = AsImpl(error)->message.size();
}
PJRT_Error_Code ErrorCode(const PJRT_Error* error) { return AsImpl(error)->code; }
// This plugin attaches no payloads.
void ErrorPayloads(const PJRT_Error*, PJRT_Error_PayloadVisitor, void*) {}

const PJRT_Error_FunctionTable kErrorTable = {
    PJRT_Error_FunctionTable_STRUCT_SIZE,
    PJRT_Error_STRUCT_SIZE,
    nullptr,
    DestroyError,
    ErrorMessage,
    ErrorCode,
    ErrorPayloads,
};

// Returned when not even an error object can be allocated; never freed.
void KeepStaticError(PJRT_Error*) {}
const PJRT_Error_FunctionTable kStaticErrorTable = {
    PJRT_Error_FunctionTable_STRUCT_SIZE,
    PJRT_Error_STRUCT_SIZE,
    nullptr,
    KeepStaticError,
    ErrorMessage,
    ErrorCode,
    ErrorPayloads,
};

ErrorImpl& OutOfMemoryError() noexcept {
  static ErrorImpl* error = [] {
    auto* e = new ErrorImpl();  // allocated once at load time, see GetPjrtApi
    e->vtable = &kStaticErrorTable;
    e->code = PJRT_Error_Code_RESOURCE_EXHAUSTED;
    e->message = "out of host memory in the XlaPrune CPU plugin";
    return e;
  }();
  return *error;
}

PJRT_Error_Code FromEngineCode(cpu::ErrorCode code) noexcept {
  int value = static_cast<int>(code);
  return value >= 1 && value <= 16 ? static_cast<PJRT_Error_Code>(value) : PJRT_Error_Code_INTERNAL;
}

}  // namespace

void WarmUpErrors() noexcept { (void)OutOfMemoryError(); }

void Fail(PJRT_Error_Code code, std::string message) { throw ApiError(code, std::move(message)); }

PJRT_Error* MakeError(PJRT_Error_Code code, const std::string& message) noexcept {
  try {
    auto* error = new ErrorImpl();
    error->vtable = &kErrorTable;
    error->code = code;
    error->message = message;
    return error;
  } catch (...) {
    return &OutOfMemoryError();
  }
}

PJRT_Error* ErrorFromCurrentException() noexcept {
  try {
    throw;
  } catch (const ApiError& e) {
    return MakeError(e.code(), e.message());
  } catch (const cpu::EngineError& e) {
    return MakeError(FromEngineCode(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return MakeError(PJRT_Error_Code_RESOURCE_EXHAUSTED, "out of host memory in the XlaPrune CPU plugin");
  } catch (const std::exception& e) {
    return MakeError(PJRT_Error_Code_INTERNAL, std::string("internal error in the XlaPrune CPU plugin: ") + e.what());
  } catch (...) {
    return MakeError(PJRT_Error_Code_INTERNAL, "internal error in the XlaPrune CPU plugin: unknown exception");
  }
}

void CheckArgsStruct(const void* args, size_t struct_size, const char* struct_name, size_t min_size) {
  if (args == nullptr) InvalidArgument(std::string(struct_name) + " pointer must not be null");
  if (struct_size < min_size) {
    InvalidArgument("Unexpected " + std::string(struct_name) + " size: expected " + std::to_string(min_size) +
                    ", got " + std::to_string(struct_size));
  }
}

}  // namespace xlaprune::pjrt

using namespace xlaprune::pjrt;
namespace cpu = xlaprune::cpu;

// The two void slots cannot report errors: a bad call does nothing.
void Entry_PJRT_Error_Destroy(PJRT_Error_Destroy_Args* args) noexcept {
  if (args == nullptr || args->struct_size < PJRT_Error_Destroy_Args_STRUCT_SIZE || args->error == nullptr) return;
  if (args->error->vtable != nullptr) args->error->vtable->destroy(args->error);
}

void Entry_PJRT_Error_Message(PJRT_Error_Message_Args* args) noexcept {
  if (args == nullptr || args->struct_size < PJRT_Error_Message_Args_STRUCT_SIZE) return;
  if (args->error == nullptr || args->error->vtable == nullptr) {
    args->message = "";
    args->message_size = 0;
    return;
  }
  args->error->vtable->message(args->error, &args->message, &args->message_size);
}

XLAPRUNE_ENTRY(PJRT_Error_GetCode) {
  Require(args->error, "PJRT_Error_GetCode_Args.error");
  args->code = args->error->vtable->get_code(args->error);
}

XLAPRUNE_ENTRY(PJRT_Error_ForEachPayload) {
  Require(args->error, "PJRT_Error_ForEachPayload_Args.error");
  Require(args->visitor, "PJRT_Error_ForEachPayload_Args.visitor");
  args->error->vtable->for_each_payload(args->error, args->visitor, args->user_arg);
}
