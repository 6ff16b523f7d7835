#include "src/runtime/http_prelude.h"

#include "src/common/lambda_protocol.h"
#include "src/runtime/error_json.h"

namespace zerostart::runtime {

void AppendHttpPrelude(const HttpResponseHead& head, std::string* out) {
  out->append("{\"statusCode\":");
  out->append(std::to_string(head.status_code));
  out->append(",\"headers\":{");
  bool first = true;
  for (const auto& [name, value] : head.headers) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(name, out);
    out->push_back(':');
    AppendJsonString(value, out);
  }
  out->append("},\"cookies\":[");
  first = true;
  for (const std::string& cookie : head.cookies) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(cookie, out);
  }
  out->append("]}");
  out->append(lambda::kHttpPreludeDelimiterBytes, '\0');
}

}  // namespace zerostart::runtime

namespace zerostart {

Status StartHttpResponse(ResponseStream& stream, const HttpResponseHead& head) {
  if (stream.started()) {
    return FailedPreconditionError(
        "StartHttpResponse: the response has started; the HTTP prelude must be its first bytes");
  }
  if (head.status_code < 100 || head.status_code > 599) {
    return InvalidArgumentError("StartHttpResponse: status code " +
                                std::to_string(head.status_code) + " is not in 100..599");
  }
  ZS_RETURN_IF_ERROR(stream.SetContentType(std::string(lambda::kHttpIntegrationResponseContentType)));
  std::string prelude;
  runtime::AppendHttpPrelude(head, &prelude);
  return stream.Write(prelude);
}

}  // namespace zerostart
