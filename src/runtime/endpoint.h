// Where the Runtime API lives, parsed from AWS_LAMBDA_RUNTIME_API.
//
// Real Lambda and RIE set "host:port" (e.g. "127.0.0.1:9001"); cargo-lambda sets a URL with a
// scheme and a path ("http://[::]:9000/.rt/fn"), whose path is a prefix placed before
// "/2018-06-01/...". Both forms are accepted; names are not resolved (see src/common/net.h),
// except "localhost".
// Thread safety: value types and pure functions.
#ifndef ZEROSTART_SRC_RUNTIME_ENDPOINT_H_
#define ZEROSTART_SRC_RUNTIME_ENDPOINT_H_

#include <string>
#include <string_view>

#include "src/common/net.h"
#include "zerostart/status.h"

namespace zerostart::runtime {

struct RuntimeApiEndpoint {
  net::HostPort address;
  // Path prefix before "/2018-06-01": empty, or "/x/y" (leading '/', no trailing '/').
  std::string path_prefix;
  // The Host header value: "host:port", with brackets around an IPv6 host.
  std::string host_header;
};

// Accepts "host:port", "[v6]:port", "http://host:port", "http://host:port/prefix/",
// "http://[v6]:port/prefix" and "http://host" (port 80). Query strings and fragments are
// rejected, as are schemes other than http (the Runtime API is plain HTTP on loopback).
// Errors: InvalidArgument with the offending text in the message.
Result<RuntimeApiEndpoint> ParseRuntimeApiEndpoint(std::string_view text);

}  // namespace zerostart::runtime

#endif  // ZEROSTART_SRC_RUNTIME_ENDPOINT_H_
