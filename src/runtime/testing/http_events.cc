#include "src/runtime/testing/http_events.h"

#include <nlohmann/json.hpp>

#include "src/common/base64.h"

namespace zerostart::runtime::testing {

std::string FunctionUrlPostEvent(std::string_view body, bool base64) {
  const nlohmann::json event = {{"version", "2.0"},
                                {"routeKey", "$default"},
                                {"rawPath", "/"},
                                {"headers", {{"content-type", "application/json"}}},
                                {"requestContext", {{"http", {{"method", "POST"}, {"path", "/"}}}}},
                                {"body", base64 ? Base64Encode(body) : std::string(body)},
                                {"isBase64Encoded", base64}};
  return event.dump();
}

}  // namespace zerostart::runtime::testing
