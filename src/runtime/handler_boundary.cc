#include "src/runtime/handler_boundary.h"

#include <cxxabi.h>

#include <cstdlib>

#include "src/common/lambda_protocol.h"
#include "src/runtime/error_json.h"

namespace zerostart::runtime {
namespace {

std::string DemangleOrRaw(const char* mangled) {
  int status = 0;
  char* readable = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = (status == 0 && readable != nullptr) ? readable : mangled;
  std::free(readable);
  return name;
}

// Turns the exception being handled (REQUIRES: called inside a catch block) into an error.
// Building the error may itself throw (bad_alloc); the caller guards against that.
FunctionError CurrentExceptionToError() {
  try {
    throw;
  } catch (const std::exception& e) {
    return FunctionError{DemangledTypeName(typeid(e)), e.what(), {}};
  } catch (...) {
    // The type of a non-std exception is still known to the ABI; put it in the message.
    const std::type_info* type = abi::__cxa_current_exception_type();
    std::string message = type != nullptr ? DemangledTypeName(*type) : std::string("unknown type");
    message += " thrown";
    return FunctionError{std::string(kUnknownExceptionType), std::move(message), {}};
  }
}

FunctionError LastResortError() noexcept {
  // Reached only if building a FunctionError threw (e.g. out of memory); these are SSO-small.
  try {
    return FunctionError{std::string(kUnknownExceptionType), {}, {}};
  } catch (...) {
    return FunctionError{};
  }
}

}  // namespace

std::string DemangledTypeName(const std::type_info& type) { return DemangleOrRaw(type.name()); }

Response CallHandler(const Handler& handler, const Invocation& invocation) noexcept {
  try {
    try {
      Response response = handler(invocation);
      if (response.is_error() && response.error().type.empty()) {
        FunctionError error = response.error();
        error.type = std::string(EffectiveErrorType(error));
        return Response::Failure(std::move(error));
      }
      return response;
    } catch (...) {
      return Response::Failure(CurrentExceptionToError());
    }
  } catch (...) {
    return Response::Failure(LastResortError());
  }
}

bool CallStreamingHandler(const StreamingHandler& handler, const Invocation& invocation,
                          ResponseStream& stream, FunctionError* error) noexcept {
  try {
    try {
      handler(invocation, stream);
      return true;
    } catch (...) {
      *error = CurrentExceptionToError();
      return false;
    }
  } catch (...) {
    *error = LastResortError();
    return false;
  }
}

bool CallInit(const InitFunction& init, FunctionError* error) noexcept {
  if (!init) return true;
  try {
    try {
      Status status = init();
      if (status.ok()) return true;
      *error = FunctionError{std::string(lambda::kErrorTypeInit),
                             status.message().empty() ? status.ToString() : status.message(), {}};
      return false;
    } catch (...) {
      *error = CurrentExceptionToError();
      return false;
    }
  } catch (...) {
    *error = LastResortError();
    return false;
  }
}

bool CallShutdownHook(const ShutdownFunction& hook, FunctionError* error) noexcept {
  if (!hook) return true;
  try {
    try {
      hook();
      return true;
    } catch (...) {
      *error = CurrentExceptionToError();
      return false;
    }
  } catch (...) {
    *error = LastResortError();
    return false;
  }
}

}  // namespace zerostart::runtime
