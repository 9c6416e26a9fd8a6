// The error side of the PJRT C API layer: the error type the layer throws, the PJRT_Error it
// becomes, and the exception barrier every entry point runs behind.
#pragma once

#include <xlaprune/pjrt_c_api.h>

#include <cstddef>
#include <cstring>
#include <exception>
#include <string>
#include <utility>

namespace xlaprune::pjrt {

// ---- Errors ---------------------------------------------------------------------------------

// Thrown by the API layer for bad input; the barrier turns it into a PJRT_Error.
class ApiError : public std::exception {
 public:
  ApiError(PJRT_Error_Code code, std::string message) : code_(code), message_(std::move(message)) {}
  PJRT_Error_Code code() const noexcept { return code_; }
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const noexcept { return message_; }

 private:
  PJRT_Error_Code code_;
  std::string message_;
};

[[noreturn]] void Fail(PJRT_Error_Code code, std::string message);
[[noreturn]] inline void InvalidArgument(std::string message) {
  Fail(PJRT_Error_Code_INVALID_ARGUMENT, std::move(message));
}
[[noreturn]] inline void Unimplemented(std::string message) {
  Fail(PJRT_Error_Code_UNIMPLEMENTED, std::move(message));
}

// The plugin's error object: PJRT_Error (a vtable pointer) first, as the 0.114 layout requires.
struct ErrorImpl : PJRT_Error {
  PJRT_Error_Code code;
  std::string message;
};

// Never throws: when memory runs out it returns a static RESOURCE_EXHAUSTED error whose
// destroy does nothing.
PJRT_Error* MakeError(PJRT_Error_Code code, const std::string& message) noexcept;
// Turns the exception being handled into a PJRT_Error. Call only inside a catch block.
PJRT_Error* ErrorFromCurrentException() noexcept;
// Allocates the static out-of-memory error up front; called once from GetPjrtApi.
void WarmUpErrors() noexcept;

// Copies of an error's code and message, for events.
struct Status {
  PJRT_Error_Code code = PJRT_Error_Code_OK;
  std::string message;
  bool ok() const noexcept { return code == PJRT_Error_Code_OK; }
};

// ---- The exception barrier -----------------------------------------------------------------

// Checks `args` against the smallest struct the entry point accepts: null args and short
// structs fail with INVALID_ARGUMENT naming the struct.
void CheckArgsStruct(const void* args, size_t struct_size, const char* struct_name, size_t min_size);

template <typename Args, typename Body>
PJRT_Error* Guarded(const char* struct_name, size_t min_size, Args* args, Body body) noexcept {
  try {
    CheckArgsStruct(args, args != nullptr ? args->struct_size : 0, struct_name, min_size);
    body(args);
    return nullptr;
  } catch (...) {
    return ErrorFromCurrentException();
  }
}

// Defines an entry point `Entry_<Name>` whose body runs behind the barrier. The caller's struct
// must be at least `min_size` bytes; fields past it are touched only when HasField says so.
#define XLAPRUNE_ENTRY_MIN(Name, min_size)                                                 \
  static void Body_##Name(Name##_Args* args);                                             \
  PJRT_Error* Entry_##Name(Name##_Args* args) noexcept {                                  \
    return ::xlaprune::pjrt::Guarded(#Name "_Args", (min_size), args, Body_##Name);       \
  }                                                                                       \
  static void Body_##Name(Name##_Args* args)

#define XLAPRUNE_ENTRY(Name) XLAPRUNE_ENTRY_MIN(Name, Name##_Args_STRUCT_SIZE)

// End offset of `field` in the args type, the upstream STRUCT_SIZE rule.
#define XLAPRUNE_FIELD_END(Type, field) XLAPRUNE_PJRT_SIZE_UPTO(Type, field)
// True if the caller's struct is large enough to contain `field`.
#define XLAPRUNE_HAS_FIELD(args, Type, field) ((args)->struct_size >= XLAPRUNE_FIELD_END(Type, field))

// The value of a caller-provided enum field as an int: a C caller may store any number there,
// and loading an out-of-range value as the enum type is undefined behaviour in C++.
template <typename Enum>
int RawEnum(const Enum& field) noexcept {
  static_assert(sizeof(Enum) == sizeof(int), "PJRT enums are int-sized");
  int value;
  std::memcpy(&value, &field, sizeof(value));
  return value;
}

// Requires a non-null handle argument, naming it in the error.
template <typename T>
T* Require(T* pointer, const char* what) {
  if (pointer == nullptr) InvalidArgument(std::string(what) + " must not be null");
  return pointer;
}

}  // namespace xlaprune::pjrt
